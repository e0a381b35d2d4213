package domain

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// The personalised plan (TDDUI ProjetPersonnalise): one model for the
// "projet d'accompagnement personnalisé" of services for older people and
// the "projet personnalisé d'accompagnement" of disability services. A plan
// is a version: a revision of a running plan is a new Plan (Version+1,
// PreviousID set) drafted while the previous one keeps running, and the
// previous one ends (TERMINE) when the revision starts (ENCOURS). Every
// version stays readable; a TERMINE plan is never changed again.

// PlanLabel is the name of the plan in an establishment of category cat.
func PlanLabel(cat Category) string {
	switch cat {
	case CatEHPAD, CatSSIAD, CatSAAD, CatSPASAD, CatRA:
		return "Projet d'accompagnement personnalisé"
	}
	return "Projet personnalisé d'accompagnement"
}

// PlanStatus is the TDDUI status of a plan.
type PlanStatus string

// Plan statuses.
const (
	PlanEnPreparation PlanStatus = "ENPREPARATION"
	PlanEnCours       PlanStatus = "ENCOURS"
	PlanEnPause       PlanStatus = "ENPAUSE"
	PlanTermine       PlanStatus = "TERMINE"
)

// AllPlanStatuses in life order.
var AllPlanStatuses = []PlanStatus{PlanEnPreparation, PlanEnCours, PlanEnPause, PlanTermine}

// Label is the French name.
func (s PlanStatus) Label() string {
	switch s {
	case PlanEnPreparation:
		return "En préparation"
	case PlanEnCours:
		return "En cours"
	case PlanEnPause:
		return "En pause"
	case PlanTermine:
		return "Terminé"
	}
	return string(s)
}

// Valid reports whether s is known.
func (s PlanStatus) Valid() bool {
	for _, k := range AllPlanStatuses {
		if k == s {
			return true
		}
	}
	return false
}

// Open reports whether the plan is the one being applied (ENCOURS or ENPAUSE).
func (s PlanStatus) Open() bool { return s == PlanEnCours || s == PlanEnPause }

// planMoves are the allowed transitions. A draft that will never run is
// closed (ENPREPARATION → TERMINE), e.g. a revision abandoned.
var planMoves = map[PlanStatus][]PlanStatus{
	PlanEnPreparation: {PlanEnCours, PlanTermine},
	PlanEnCours:       {PlanEnPause, PlanTermine},
	PlanEnPause:       {PlanEnCours, PlanTermine},
}

// CanMoveTo reports whether the state machine allows s → to (agreement
// aside: see Plan.MoveTo).
func (s PlanStatus) CanMoveTo(to PlanStatus) bool {
	for _, k := range planMoves[s] {
		if k == to {
			return true
		}
	}
	return false
}

// Errors of the plan (French, shown as is). Transition errors wrap
// ErrPlanTransition and, when there is one, the precise cause.
var (
	ErrPlanTransition        = errors.New("changement de statut du projet impossible")
	ErrNoStructureAgreement  = errors.New("l'accord de la structure est requis avant de mettre le projet en cours")
	ErrPlanClosed            = errors.New("ce projet est terminé : il reste consultable mais ne peut plus être modifié")
	ErrPlanNotDraft          = errors.New("seul un projet en préparation peut être modifié ; pour changer un projet en cours, démarrez une révision")
	ErrPlanNotRunning        = errors.New("seul un projet en cours ou en pause peut être révisé ou faire l'objet d'un bilan")
	ErrItemTransition        = errors.New("changement de statut impossible")
	ErrPlanItemNotFound      = errors.New("élément introuvable dans ce projet")
	ErrRevisionNotSuccessive = errors.New("cette révision ne succède pas au projet indiqué")
)

// PlanTransitionError says why a plan may not move from From to To.
type PlanTransitionError struct {
	From, To PlanStatus
	Cause    error // nil when the state machine alone forbids it
}

func (e *PlanTransitionError) Error() string {
	msg := fmt.Sprintf("Le projet ne peut pas passer de « %s » à « %s »", e.From.Label(), e.To.Label())
	switch {
	case e.Cause != nil:
		return msg + " : " + e.Cause.Error() + "."
	case e.From == e.To:
		return msg + " : il est déjà dans cet état."
	case e.From == PlanTermine:
		return msg + " : un projet terminé ne change plus (démarrez une révision du projet en cours)."
	case e.To == PlanEnPause:
		return msg + " : seul un projet en cours peut être mis en pause."
	case e.To == PlanEnPreparation:
		return msg + " : un projet ne revient pas en préparation (démarrez une révision)."
	}
	return msg + "."
}

// Unwrap lets errors.Is find ErrPlanTransition and the cause.
func (e *PlanTransitionError) Unwrap() []error {
	if e.Cause != nil {
		return []error{ErrPlanTransition, e.Cause}
	}
	return []error{ErrPlanTransition}
}

// ExpectationOrigin says whose expectation (attente) it is.
type ExpectationOrigin string

// Origins of an expectation.
const (
	OriginUsager        ExpectationOrigin = "usager"
	OriginProche        ExpectationOrigin = "proche"
	OriginProfessionnel ExpectationOrigin = "professionnel"
	OriginPartenaire    ExpectationOrigin = "partenaire"
)

// AllExpectationOrigins in display order.
var AllExpectationOrigins = []ExpectationOrigin{OriginUsager, OriginProche, OriginProfessionnel, OriginPartenaire}

// Label is the French name.
func (o ExpectationOrigin) Label() string {
	switch o {
	case OriginUsager:
		return "La personne accompagnée"
	case OriginProche:
		return "Un proche ou le représentant légal"
	case OriginProfessionnel:
		return "Un professionnel"
	case OriginPartenaire:
		return "Une structure partenaire"
	}
	return string(o)
}

// Valid reports whether o is known.
func (o ExpectationOrigin) Valid() bool {
	for _, k := range AllExpectationOrigins {
		if k == o {
			return true
		}
	}
	return false
}

// Expectation is an attente, attributed to its origin.
type Expectation struct {
	ID     uuid.UUID
	Origin ExpectationOrigin
	Author string // who expressed it (name or role), free text
	Text   string
	// EnteredOnBehalf marks an expectation typed by staff on behalf of a
	// relative or a partner structure: it is shown as such.
	EnteredOnBehalf bool
	RecordedOn      time.Time
}

// OnBehalfLabel is the mention shown beside an expectation entered by staff.
func (e Expectation) OnBehalfLabel() string {
	if !e.EnteredOnBehalf {
		return ""
	}
	return "Saisie par l'équipe pour le compte de : " + strings.ToLower(e.Origin.Label())
}

// Need is a besoin, optionally coded in the SERAFIN-PH nomenclature.
type Need struct {
	ID          uuid.UUID
	Text        string
	SerafinCode string // e.g. 1.1.1.1; empty when not coded
}

// GoalDomain is the life domain a goal belongs to.
type GoalDomain string

// Goal domains.
const (
	DomainSante        GoalDomain = "sante"
	DomainAutonomie    GoalDomain = "autonomie"
	DomainVieSociale   GoalDomain = "vie_sociale"
	DomainVieQuot      GoalDomain = "vie_quotidienne"
	DomainCommunic     GoalDomain = "communication"
	DomainEducation    GoalDomain = "education"
	DomainScolarite    GoalDomain = "scolarite"
	DomainTravail      GoalDomain = "travail"
	DomainLogement     GoalDomain = "logement"
	DomainCitoyennete  GoalDomain = "citoyennete"
	DomainLoisirs      GoalDomain = "loisirs"
	DomainVieAffective GoalDomain = "vie_affective"
	DomainFinDeVie     GoalDomain = "fin_de_vie"
)

// AllGoalDomains in display order.
var AllGoalDomains = []GoalDomain{DomainSante, DomainAutonomie, DomainVieSociale, DomainVieQuot, DomainCommunic,
	DomainEducation, DomainScolarite, DomainTravail, DomainLogement, DomainCitoyennete, DomainLoisirs,
	DomainVieAffective, DomainFinDeVie}

// Label is the French name.
func (d GoalDomain) Label() string {
	switch d {
	case DomainSante:
		return "Santé"
	case DomainAutonomie:
		return "Autonomie"
	case DomainVieSociale:
		return "Vie sociale et participation"
	case DomainVieQuot:
		return "Vie quotidienne"
	case DomainCommunic:
		return "Communication"
	case DomainEducation:
		return "Éducation"
	case DomainScolarite:
		return "Scolarité"
	case DomainTravail:
		return "Travail et insertion professionnelle"
	case DomainLogement:
		return "Logement"
	case DomainCitoyennete:
		return "Droits et citoyenneté"
	case DomainLoisirs:
		return "Loisirs et culture"
	case DomainVieAffective:
		return "Vie affective et familiale"
	case DomainFinDeVie:
		return "Fin de vie"
	}
	return string(d)
}

// Valid reports whether d is known.
func (d GoalDomain) Valid() bool {
	for _, k := range AllGoalDomains {
		if k == d {
			return true
		}
	}
	return false
}

// ItemStatus is the status of a goal or an action (TDDUI Objectif, Action).
type ItemStatus string

// Goal and action statuses.
const (
	ItemEnPreparation ItemStatus = "ENPREPARATION"
	ItemActif         ItemStatus = "ACTIF"
	ItemTermine       ItemStatus = "TERMINE"
	ItemAnnule        ItemStatus = "ANNULE"
)

// AllItemStatuses in life order.
var AllItemStatuses = []ItemStatus{ItemEnPreparation, ItemActif, ItemTermine, ItemAnnule}

// Label is the French name.
func (s ItemStatus) Label() string {
	switch s {
	case ItemEnPreparation:
		return "En préparation"
	case ItemActif:
		return "Actif"
	case ItemTermine:
		return "Terminé"
	case ItemAnnule:
		return "Annulé"
	}
	return string(s)
}

// Valid reports whether s is known.
func (s ItemStatus) Valid() bool {
	for _, k := range AllItemStatuses {
		if k == s {
			return true
		}
	}
	return false
}

// Closed reports whether s is final (TERMINE or ANNULE).
func (s ItemStatus) Closed() bool { return s == ItemTermine || s == ItemAnnule }

var itemMoves = map[ItemStatus][]ItemStatus{
	ItemEnPreparation: {ItemActif, ItemAnnule},
	ItemActif:         {ItemTermine, ItemAnnule},
}

// CanMoveTo reports whether a goal or action may go from s to to.
func (s ItemStatus) CanMoveTo(to ItemStatus) bool {
	for _, k := range itemMoves[s] {
		if k == to {
			return true
		}
	}
	return false
}

func itemTransition(what string, from, to ItemStatus) error {
	if from.CanMoveTo(to) {
		return nil
	}
	reason := "."
	switch {
	case from == to:
		reason = " : déjà dans cet état."
	case from.Closed():
		reason = " : " + strings.ToLower(from.Label()) + ", il ne change plus."
	case to == ItemTermine:
		reason = " : seul un élément actif peut être terminé."
	}
	return fmt.Errorf("%w : %s ne peut pas passer de « %s » à « %s »%s", ErrItemTransition, what, from.Label(), to.Label(), reason)
}

// PlanAction is an action under a goal.
type PlanAction struct {
	ID         uuid.UUID
	Title      string
	ReferentID uuid.UUID // user in charge; Nil when none
	Start, End time.Time
	Status     ItemStatus
}

// MoveTo changes the action's status or says why not.
func (a *PlanAction) MoveTo(to ItemStatus) error {
	if err := itemTransition("l'action", a.Status, to); err != nil {
		return err
	}
	a.Status = to
	return nil
}

// Goal is an objectif of the plan.
type Goal struct {
	ID             uuid.UUID
	Domain         GoalDomain
	Title          string
	PersonOpinion  string // avis de la personne
	ExpectedResult string
	ReferentID     uuid.UUID // user in charge; Nil when none
	Start, End     time.Time
	Status         ItemStatus
	Actions        []PlanAction
}

// MoveTo changes the goal's status or says why not. Closing a goal closes
// its open actions the same way (a cancelled goal cancels its actions).
func (g *Goal) MoveTo(to ItemStatus) error {
	if err := itemTransition("l'objectif", g.Status, to); err != nil {
		return err
	}
	g.Status = to
	if to.Closed() {
		for i := range g.Actions {
			if !g.Actions[i].Status.Closed() {
				if g.Actions[i].Status == ItemEnPreparation || to == ItemAnnule {
					g.Actions[i].Status = ItemAnnule
				} else {
					g.Actions[i].Status = ItemTermine
				}
			}
		}
	}
	return nil
}

// MaxPlanText bounds the free texts of a plan.
const MaxPlanText = 10000

func planText(v *ValidationError, field, s string, required bool, what string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "" && required:
		v.Add(field, what+" est obligatoire.")
	case len(s) > MaxPlanText:
		v.Add(field, what+" est trop long (10 000 caractères au plus).")
	}
	return s
}

// validate checks a goal as the goal form shows it: domain, title, dates,
// status, and its actions (fields prefixed "action_").
func (g *Goal) validate(v *ValidationError) {
	switch {
	case g.Domain == "":
		v.Add("domain", "Choisissez le domaine de l'objectif (santé, autonomie, vie sociale…).")
	case !g.Domain.Valid():
		v.Add("domain", "Domaine inconnu : choisissez-en un dans la liste.")
	}
	g.Title = planText(v, "title", g.Title, true, "L'intitulé de l'objectif")
	g.PersonOpinion = planText(v, "person_opinion", g.PersonOpinion, false, "L'avis de la personne")
	g.ExpectedResult = planText(v, "expected_result", g.ExpectedResult, false, "Le résultat attendu")
	if g.Status == "" {
		g.Status = ItemEnPreparation
	}
	if !g.Status.Valid() {
		v.Add("status", "Statut de l'objectif inconnu.")
	}
	if !g.End.IsZero() && !g.Start.IsZero() && g.End.Before(g.Start) {
		v.Add("end", "L'échéance ne peut pas précéder la date de début ("+FrenchDate(g.Start)+").")
	}
	for i := range g.Actions {
		a := &g.Actions[i]
		a.Title = planText(v, "action_title", a.Title, true, "L'intitulé de l'action")
		if a.Status == "" {
			a.Status = ItemEnPreparation
		}
		if !a.Status.Valid() {
			v.Add("action_status", "Statut de l'action inconnu.")
		}
		if !a.End.IsZero() && !a.Start.IsZero() && a.End.Before(a.Start) {
			v.Add("action_end", "L'échéance de l'action ne peut pas précéder sa date de début.")
		}
	}
}

// GoalInput is the goal form.
type GoalInput struct {
	Domain         string
	Title          string
	PersonOpinion  string
	ExpectedResult string
	Referent       string // user id, optional
	Start, End     string // dates, optional
}

// Parse checks the goal form; a goal without a domain is refused on field
// "domain".
func (in GoalInput) Parse() (Goal, error) {
	var v ValidationError
	g := Goal{Domain: GoalDomain(strings.TrimSpace(in.Domain)), Title: in.Title, PersonOpinion: in.PersonOpinion,
		ExpectedResult: in.ExpectedResult, Status: ItemEnPreparation}
	if r := strings.TrimSpace(in.Referent); r != "" {
		id, err := uuid.Parse(r)
		if err != nil {
			v.Add("referent", "Choisissez le référent dans la liste.")
		}
		g.ReferentID = id
	}
	if d, ok := parseDateField(&v, "start", in.Start, false, "La date de début"); ok {
		g.Start = d
	}
	if d, ok := parseDateField(&v, "end", in.End, false, "L'échéance"); ok {
		g.End = d
	}
	g.validate(&v)
	return g, v.Err()
}

// AgreementAuthor says who agreed to the plan.
type AgreementAuthor string

// Agreement authors.
const (
	AgreementStructure      AgreementAuthor = "structure"
	AgreementUsager         AgreementAuthor = "usager"
	AgreementRepresentative AgreementAuthor = "representant_legal"
)

// AllAgreementAuthors in display order.
var AllAgreementAuthors = []AgreementAuthor{AgreementStructure, AgreementUsager, AgreementRepresentative}

// Label is the French name.
func (a AgreementAuthor) Label() string {
	switch a {
	case AgreementStructure:
		return "La structure"
	case AgreementUsager:
		return "La personne accompagnée"
	case AgreementRepresentative:
		return "Le représentant légal"
	}
	return string(a)
}

// Valid reports whether a is known.
func (a AgreementAuthor) Valid() bool {
	for _, k := range AllAgreementAuthors {
		if k == a {
			return true
		}
	}
	return false
}

// AgreementMethod is how the agreement was given.
type AgreementMethod string

// Agreement methods.
const (
	AgreementOnScreen     AgreementMethod = "ecran"
	AgreementPaperScanned AgreementMethod = "papier_scanne"
)

// AllAgreementMethods in display order.
var AllAgreementMethods = []AgreementMethod{AgreementOnScreen, AgreementPaperScanned}

// Label is the French name.
func (m AgreementMethod) Label() string {
	switch m {
	case AgreementOnScreen:
		return "À l'écran"
	case AgreementPaperScanned:
		return "Papier signé et numérisé"
	}
	return string(m)
}

// Valid reports whether m is known.
func (m AgreementMethod) Valid() bool { return m == AgreementOnScreen || m == AgreementPaperScanned }

// Agreement is an accord on the plan.
type Agreement struct {
	ID     uuid.UUID
	Author AgreementAuthor
	Method AgreementMethod
	Date   time.Time
	Name   string // who signed (the director for the structure, the person, the representative)
}

// EvaluationResult is the outcome of a goal at a review.
type EvaluationResult string

// Evaluation results.
const (
	ResultAtteint    EvaluationResult = "atteint"
	ResultPartiel    EvaluationResult = "partiellement_atteint"
	ResultNonAtteint EvaluationResult = "non_atteint"
)

// AllEvaluationResults in display order.
var AllEvaluationResults = []EvaluationResult{ResultAtteint, ResultPartiel, ResultNonAtteint}

// Label is the French name.
func (r EvaluationResult) Label() string {
	switch r {
	case ResultAtteint:
		return "Atteint"
	case ResultPartiel:
		return "Partiellement atteint"
	case ResultNonAtteint:
		return "Non atteint"
	}
	return string(r)
}

// Valid reports whether r is known.
func (r EvaluationResult) Valid() bool {
	return r == ResultAtteint || r == ResultPartiel || r == ResultNonAtteint
}

// GoalEvaluation is the evaluation of one goal at a review.
type GoalEvaluation struct {
	GoalID  uuid.UUID
	Result  EvaluationResult
	Comment string
}

// Review is a bilan of the plan.
type Review struct {
	ID          uuid.UUID
	Date        time.Time
	Synthesis   string
	Evaluations []GoalEvaluation
	NextReview  time.Time // date du prochain bilan; drives the reminder when earlier than the yearly due date
}

// Plan is one version of a usager's personalised plan in one establishment.
type Plan struct {
	ID              uuid.UUID
	OrgID           uuid.UUID
	UsagerID        uuid.UUID
	EstablishmentID uuid.UUID
	Version         int
	PreviousID      uuid.UUID // the version this one revises; Nil for the first
	Status          PlanStatus
	// PeriodicityMonths is the review periodicity the plan sets for itself
	// (DITEP, D312-59-5); 0 means the yearly rule.
	PeriodicityMonths int
	StartedOn         time.Time // first day ENCOURS
	EndedOn           time.Time // day it became TERMINE
	CreatedAt         time.Time
	Expectations      []Expectation
	Needs             []Need
	Goals             []Goal
	Agreements        []Agreement
	Reviews           []Review // oldest first
	// Revision counts the saves of this version (optimistic locking): a
	// form carries the revision it was drawn from and a save over a newer
	// one is refused (PlanStaleError). UpdatedBy/UpdatedByName say who made
	// the last save and UpdatedAt when; the caller of a save sets
	// UpdatedBy/UpdatedByName to the person saving.
	Revision      int
	UpdatedBy     uuid.UUID
	UpdatedByName string
	UpdatedAt     time.Time
}

// PlanStaleError refuses a save drawn from an older revision of the plan:
// someone saved meanwhile. It names them so the person can check what
// changed before redoing their change.
type PlanStaleError struct {
	By string    // display name of who saved meanwhile ("" when unknown)
	At time.Time // when
}

func (e *PlanStaleError) Error() string {
	who := e.By
	if who == "" {
		who = "un autre professionnel"
	}
	when := ""
	if !e.At.IsZero() {
		when = " le " + e.At.In(Paris()).Format("02/01/2006 à 15:04")
	}
	return "Ce projet a été modifié entre-temps par " + who + when +
		". Votre modification n'a pas été enregistrée : la page montre maintenant la version à jour, vérifiez-la puis refaites votre modification."
}

// Unwrap lets errors.Is find ErrConflict.
func (e *PlanStaleError) Unwrap() error { return ErrConflict }

// CheckRevision refuses a change drawn from revision seen when the plan is
// at another one.
func (p Plan) CheckRevision(seen int) error {
	if seen != p.Revision {
		return &PlanStaleError{By: p.UpdatedByName, At: p.UpdatedAt}
	}
	return nil
}

// NewPlan drafts the first version of a plan.
func NewPlan(usager, establishment uuid.UUID, periodicityMonths int) Plan {
	return Plan{UsagerID: usager, EstablishmentID: establishment, Version: 1, Status: PlanEnPreparation,
		PeriodicityMonths: periodicityMonths}
}

// HasStructureAgreement reports whether the structure agreed to this version.
func (p Plan) HasStructureAgreement() bool {
	for _, a := range p.Agreements {
		if a.Author == AgreementStructure {
			return true
		}
	}
	return false
}

// HasPersonAgreement reports whether the person or their legal
// representative agreed.
func (p Plan) HasPersonAgreement() bool {
	for _, a := range p.Agreements {
		if a.Author == AgreementUsager || a.Author == AgreementRepresentative {
			return true
		}
	}
	return false
}

// Warnings are French remarks that do not block (the person's agreement is
// expected, not required).
func (p Plan) Warnings() []string {
	var out []string
	if !p.HasPersonAgreement() {
		out = append(out, "L'accord de la personne ou de son représentant légal n'est pas encore recueilli.")
	}
	if len(p.Goals) == 0 {
		out = append(out, "Le projet ne comporte encore aucun objectif.")
	}
	return out
}

// LastReview is the latest review, if any.
func (p Plan) LastReview() (Review, bool) {
	var last Review
	found := false
	for _, r := range p.Reviews {
		if !found || !r.Date.Before(last.Date) {
			last, found = r, true
		}
	}
	return last, found
}

// Goal returns a pointer to the goal with id.
func (p *Plan) Goal(id uuid.UUID) (*Goal, error) {
	for i := range p.Goals {
		if p.Goals[i].ID == id {
			return &p.Goals[i], nil
		}
	}
	return nil, ErrPlanItemNotFound
}

// MoveTo changes the plan's status on day on, or says why not: the state
// machine (planMoves), and ENCOURS needs the structure's agreement.
func (p *Plan) MoveTo(to PlanStatus, on time.Time) error {
	if !p.Status.CanMoveTo(to) {
		return &PlanTransitionError{From: p.Status, To: to}
	}
	if to == PlanEnCours && !p.HasStructureAgreement() {
		return &PlanTransitionError{From: p.Status, To: to, Cause: ErrNoStructureAgreement}
	}
	if to == PlanEnCours && p.StartedOn.IsZero() {
		p.StartedOn = planDay(on)
	}
	if to == PlanTermine {
		p.EndedOn = planDay(on)
	}
	p.Status = to
	if to == PlanEnCours {
		p.activateItems()
	}
	return nil
}

// activateItems makes the prepared goals of a plan that starts running
// active, with their prepared actions: what was agreed is now being done.
// Closed goals and actions (TERMINE, ANNULE) stay as they are.
func (p *Plan) activateItems() {
	for i := range p.Goals {
		g := &p.Goals[i]
		if g.Status.Closed() {
			continue
		}
		if g.Status == ItemEnPreparation {
			g.Status = ItemActif
		}
		for j := range g.Actions {
			if g.Actions[j].Status == ItemEnPreparation {
				g.Actions[j].Status = ItemActif
			}
		}
	}
}

// Supersede ends prev because next, its revision, starts on day on.
func Supersede(prev *Plan, next Plan, on time.Time) error {
	if next.PreviousID != prev.ID || next.UsagerID != prev.UsagerID || next.EstablishmentID != prev.EstablishmentID {
		return ErrRevisionNotSuccessive
	}
	if !prev.Status.Open() {
		return nil // already ended (or abandoned draft): nothing to close
	}
	return prev.MoveTo(PlanTermine, on)
}

// Revise drafts the next version of a running plan: expectations, needs and
// the goals still open (with their open actions) are copied, without ids,
// agreements or reviews (the new version is agreed and reviewed on its own).
// p itself keeps running until the revision starts.
func (p Plan) Revise() (Plan, error) {
	if !p.Status.Open() {
		return Plan{}, ErrPlanNotRunning
	}
	n := Plan{OrgID: p.OrgID, UsagerID: p.UsagerID, EstablishmentID: p.EstablishmentID, Version: p.Version + 1,
		PreviousID: p.ID, Status: PlanEnPreparation, PeriodicityMonths: p.PeriodicityMonths}
	for _, e := range p.Expectations {
		e.ID = uuid.Nil
		n.Expectations = append(n.Expectations, e)
	}
	for _, nd := range p.Needs {
		nd.ID = uuid.Nil
		n.Needs = append(n.Needs, nd)
	}
	for _, g := range p.Goals {
		if g.Status.Closed() {
			continue
		}
		c := g
		c.ID, c.Actions = uuid.Nil, nil
		for _, a := range g.Actions {
			if a.Status.Closed() {
				continue
			}
			a.ID = uuid.Nil
			c.Actions = append(c.Actions, a)
		}
		n.Goals = append(n.Goals, c)
	}
	return n, nil
}

func (p Plan) editable() error {
	switch p.Status {
	case PlanEnPreparation:
		return nil
	case PlanTermine:
		return ErrPlanClosed
	}
	return ErrPlanNotDraft
}

// AddExpectation adds an attente to a draft plan.
func (p *Plan) AddExpectation(e Expectation) error {
	if err := p.editable(); err != nil {
		return err
	}
	var v ValidationError
	if !e.Origin.Valid() {
		v.Add("origin", "Indiquez de qui vient cette attente.")
	}
	e.Text = planText(&v, "text", e.Text, true, "Le texte de l'attente")
	e.Author = strings.TrimSpace(e.Author)
	if e.EnteredOnBehalf && e.Origin == OriginUsager {
		v.Add("entered_on_behalf", "Une attente de la personne elle-même n'est pas saisie pour le compte d'un tiers.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	p.Expectations = append(p.Expectations, e)
	return nil
}

// AddNeed adds a besoin to a draft plan.
func (p *Plan) AddNeed(n Need) error {
	if err := p.editable(); err != nil {
		return err
	}
	var v ValidationError
	n.Text = planText(&v, "text", n.Text, true, "Le besoin")
	n.SerafinCode = strings.TrimSpace(n.SerafinCode)
	if n.SerafinCode != "" && !validSerafinCode(n.SerafinCode) {
		v.Add("serafin_code", "Code SERAFIN-PH invalide (ex. 1.1.1.1).")
	}
	if err := v.Err(); err != nil {
		return err
	}
	p.Needs = append(p.Needs, n)
	return nil
}

// validSerafinCode checks the shape of a SERAFIN-PH code: digits separated
// by dots, 1 to 5 levels.
func validSerafinCode(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) > 5 {
		return false
	}
	for _, p := range parts {
		if p == "" || len(p) > 2 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// AddGoal adds a goal (checked as the goal form) to a draft plan.
func (p *Plan) AddGoal(g Goal) error {
	if err := p.editable(); err != nil {
		return err
	}
	var v ValidationError
	g.validate(&v)
	if err := v.Err(); err != nil {
		return err
	}
	p.Goals = append(p.Goals, g)
	return nil
}

// AddAction adds an action under a goal of a draft plan (title required,
// checked with the goal's rules).
func (p *Plan) AddAction(goal uuid.UUID, a PlanAction) error {
	if err := p.editable(); err != nil {
		return err
	}
	g, err := p.Goal(goal)
	if err != nil {
		return err
	}
	if a.Status == "" {
		a.Status = ItemEnPreparation
	}
	candidate := *g
	candidate.Actions = append(append([]PlanAction{}, g.Actions...), a)
	var v ValidationError
	candidate.validate(&v)
	if err := v.Err(); err != nil {
		return err
	}
	g.Actions = candidate.Actions
	return nil
}

// AddAgreement records an accord. Allowed while the plan is drafted or
// running (the person may sign after the start); one per author.
func (p *Plan) AddAgreement(a Agreement) error {
	if p.Status == PlanTermine {
		return ErrPlanClosed
	}
	var v ValidationError
	if !a.Author.Valid() {
		v.Add("author", "Indiquez qui donne son accord.")
	}
	if !a.Method.Valid() {
		v.Add("method", "Indiquez comment l'accord a été donné (à l'écran ou papier numérisé).")
	}
	if a.Date.IsZero() {
		v.Add("date", "La date de l'accord est obligatoire.")
	}
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		v.Add("name", "Le nom de la personne qui donne son accord est obligatoire.")
	}
	for _, o := range p.Agreements {
		if a.Author.Valid() && o.Author == a.Author {
			v.Add("author", a.Author.Label()+" a déjà donné son accord sur cette version ("+FrenchDate(o.Date)+").")
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	a.Date = planDay(a.Date)
	p.Agreements = append(p.Agreements, a)
	return nil
}

// AddReview records a bilan of a running plan: each evaluation names a goal
// of this version, once.
func (p *Plan) AddReview(r Review) error {
	if !p.Status.Open() {
		return ErrPlanNotRunning
	}
	var v ValidationError
	if r.Date.IsZero() {
		v.Add("date", "La date du bilan est obligatoire.")
	}
	r.Synthesis = planText(&v, "synthesis", r.Synthesis, true, "La synthèse du bilan")
	if !r.NextReview.IsZero() && !r.Date.IsZero() && !r.NextReview.After(r.Date) {
		v.Add("next_review", "La date du prochain bilan doit suivre celle de ce bilan.")
	}
	seen := map[uuid.UUID]bool{}
	for i := range r.Evaluations {
		e := &r.Evaluations[i]
		if _, err := p.Goal(e.GoalID); err != nil || e.GoalID == uuid.Nil {
			v.Add("evaluations", "L'objectif évalué n'appartient pas à ce projet.")
		}
		if seen[e.GoalID] {
			v.Add("evaluations", "Un objectif est évalué deux fois dans le même bilan.")
		}
		seen[e.GoalID] = true
		if !e.Result.Valid() {
			v.Add("result", "Indiquez si l'objectif est atteint, partiellement atteint ou non atteint.")
		}
		e.Comment = planText(&v, "comment", e.Comment, false, "Le commentaire")
	}
	if err := v.Err(); err != nil {
		return err
	}
	r.Date, r.NextReview = planDay(r.Date), planDay(r.NextReview)
	p.Reviews = append(p.Reviews, r)
	return nil
}

// Validate checks the whole aggregate before it is stored (the store calls
// it: nothing inconsistent reaches the database whatever the caller did).
func (p *Plan) Validate() error {
	var v ValidationError
	if p.UsagerID == uuid.Nil {
		v.Add("usager_id", "Le projet doit concerner une personne accompagnée.")
	}
	if p.EstablishmentID == uuid.Nil {
		v.Add("establishment_id", "Choisissez l'établissement ou le service.")
	}
	if p.Version < 1 {
		v.Add("version", "Numéro de version invalide.")
	}
	if !p.Status.Valid() {
		v.Add("status", "Statut du projet inconnu.")
	}
	if p.PeriodicityMonths < 0 || p.PeriodicityMonths > 12 {
		v.Add("periodicity_months", "La périodicité de révision va de 1 à 12 mois (0 : une fois par an).")
	}
	if p.Status == PlanEnCours && !p.HasStructureAgreement() {
		v.Add("status", "L'accord de la structure est requis avant de mettre le projet en cours.")
	}
	for i := range p.Expectations {
		e := &p.Expectations[i]
		if !e.Origin.Valid() {
			v.Add("origin", "Indiquez de qui vient cette attente.")
		}
		e.Text = planText(&v, "text", e.Text, true, "Le texte de l'attente")
	}
	for i := range p.Needs {
		p.Needs[i].Text = planText(&v, "need", p.Needs[i].Text, true, "Le besoin")
	}
	for i := range p.Goals {
		p.Goals[i].validate(&v)
	}
	for _, a := range p.Agreements {
		if !a.Author.Valid() || !a.Method.Valid() || a.Date.IsZero() || strings.TrimSpace(a.Name) == "" {
			v.Add("agreements", "Accord incomplet : auteur, modalité, date et nom sont obligatoires.")
		}
	}
	for _, r := range p.Reviews {
		if r.Date.IsZero() || strings.TrimSpace(r.Synthesis) == "" {
			v.Add("reviews", "Bilan incomplet : date et synthèse sont obligatoires.")
		}
		for _, e := range r.Evaluations {
			if _, err := p.Goal(e.GoalID); err != nil || e.GoalID == uuid.Nil || !e.Result.Valid() {
				v.Add("evaluations", "Évaluation invalide : objectif de ce projet et résultat obligatoires.")
			}
		}
	}
	return v.Err()
}

// planDay is the calendar date of t (midnight UTC), as dates are stored.
func planDay(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Deadlines (CASF L311-3 7°, D311: the plan is drawn up within six months of
// admission and updated at least once a year; DITEP, D312-59-5: the plan
// sets its own review periodicity).

// FirstPlanMonths is the delay for the first plan after admission.
const FirstPlanMonths = 6

// ReviewMonths is the default review periodicity.
const ReviewMonths = 12

// SoonDays is the window in which a plan is "soon due".
const SoonDays = 30

// AddMonths adds n calendar months to a date, clamping to the end of the
// month (31 August + 6 months = 28 or 29 February), as PostgreSQL's
// date + interval does, so the SQL listing and this rule agree.
func AddMonths(d time.Time, n int) time.Time {
	d = planDay(d)
	y, m, dd := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if dd > last {
		dd = last
	}
	return time.Date(first.Year(), first.Month(), dd, 0, 0, 0, 0, time.UTC)
}

// ReviewPeriod is the review periodicity of plan in months in an
// establishment of category cat.
func ReviewPeriod(plan Plan, cat Category) int {
	if cat == CatDITEP && plan.PeriodicityMonths > 0 {
		return plan.PeriodicityMonths
	}
	return ReviewMonths
}

// DueDate is the date by which the next plan or review is due. plan is the
// latest version that ever started (ENCOURS at least once: StartedOn set),
// or nil when none did: then the first plan is due six months after
// admission. Otherwise the review is due one period after the later of the
// start and the last review, or at the next-review date that review set if
// that is earlier.
func DueDate(plan *Plan, admission time.Time, cat Category) time.Time {
	if plan == nil || plan.StartedOn.IsZero() {
		return AddMonths(admission, FirstPlanMonths)
	}
	base := planDay(plan.StartedOn)
	var next time.Time
	if r, ok := plan.LastReview(); ok {
		if planDay(r.Date).After(base) {
			base = planDay(r.Date)
		}
		next = planDay(r.NextReview)
	}
	due := AddMonths(base, ReviewPeriod(*plan, cat))
	if !next.IsZero() && next.Before(due) {
		due = next
	}
	return due
}

// Deadline says where a due date stands.
type Deadline string

// Deadline states.
const (
	DeadlineLate Deadline = "late"
	DeadlineSoon Deadline = "soon"
	DeadlineOK   Deadline = "ok"
)

// Label is the French name.
func (s Deadline) Label() string {
	switch s {
	case DeadlineLate:
		return "En retard"
	case DeadlineSoon:
		return "À échéance dans moins de 30 jours"
	case DeadlineOK:
		return "À jour"
	}
	return string(s)
}

// DeadlineState is the state of due on today: late from the day after,
// soon from 30 days before (due day included), ok before.
func DeadlineState(due, today time.Time) Deadline {
	due, today = planDay(due), planDay(today)
	switch {
	case today.After(due):
		return DeadlineLate
	case !today.AddDate(0, 0, SoonDays).Before(due):
		return DeadlineSoon
	}
	return DeadlineOK
}

// PlanDue is a line of the "plans due" list of an establishment.
type PlanDue struct {
	UsagerID        uuid.UUID
	UsagerName      string
	EstablishmentID uuid.UUID
	Category        Category
	AdmissionDate   time.Time
	PlanID          uuid.UUID // the latest started version; Nil when no plan ever started
	Version         int
	Status          PlanStatus // of PlanID; "" when none
	FirstPlan       bool       // the first plan is due (none ever started)
	Due             time.Time
	State           Deadline
}

// What is the French description of the line.
func (d PlanDue) What() string {
	if d.FirstPlan {
		return "Premier projet à établir (6 mois après l'admission)"
	}
	return fmt.Sprintf("Révision du projet (version %d)", d.Version)
}
