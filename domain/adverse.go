package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Adverse events (fiche d'événement indésirable, FEI): declared by anyone
// giving care or running the establishment, analysed, followed by corrective
// actions and closed. The serious ones (EIGS, and serious dysfunctions of
// CASF L331-8-1) are declared to the ARS: part 1 without delay, part 2 (the
// cause analysis) within 3 months. FEI belong to the care section for rights.

// AdverseCategory is the kind of adverse event.
type AdverseCategory string

// Adverse event categories.
const (
	AdverseFall        AdverseCategory = "chute"
	AdverseMedication  AdverseCategory = "erreur_medicamenteuse"
	AdverseRunaway     AdverseCategory = "fugue"
	AdverseAbuse       AdverseCategory = "maltraitance"
	AdverseViolence    AdverseCategory = "violence"
	AdverseInfection   AdverseCategory = "infection"
	AdverseCareFailure AdverseCategory = "defaut_prise_en_charge"
	AdverseOther       AdverseCategory = "autre"
)

// AllAdverseCategories in display order.
var AllAdverseCategories = []AdverseCategory{AdverseFall, AdverseMedication, AdverseRunaway, AdverseAbuse, AdverseViolence,
	AdverseInfection, AdverseCareFailure, AdverseOther}

// Label is the French name.
func (c AdverseCategory) Label() string {
	switch c {
	case AdverseFall:
		return "Chute"
	case AdverseMedication:
		return "Erreur médicamenteuse"
	case AdverseRunaway:
		return "Fugue / disparition"
	case AdverseAbuse:
		return "Maltraitance"
	case AdverseViolence:
		return "Violence"
	case AdverseInfection:
		return "Infection"
	case AdverseCareFailure:
		return "Défaut de prise en charge"
	case AdverseOther:
		return "Autre"
	}
	return string(c)
}

// AdverseStatus is where a FEI stands.
type AdverseStatus string

// Adverse event statuses.
const (
	AdverseDeclared AdverseStatus = "DECLAREE"
	AdverseAnalysis AdverseStatus = "EN_ANALYSE"
	AdverseActions  AdverseStatus = "ACTIONS"
	AdverseClosed   AdverseStatus = "CLOTUREE"
)

// AllAdverseStatuses in order.
var AllAdverseStatuses = []AdverseStatus{AdverseDeclared, AdverseAnalysis, AdverseActions, AdverseClosed}

// Label is the French name.
func (s AdverseStatus) Label() string {
	switch s {
	case AdverseDeclared:
		return "Déclarée"
	case AdverseAnalysis:
		return "En analyse"
	case AdverseActions:
		return "Actions correctives"
	case AdverseClosed:
		return "Clôturée"
	}
	return string(s)
}

// Open is true until the FEI is closed.
func (s AdverseStatus) Open() bool { return s != AdverseClosed }

// adverseMoves are the allowed transitions: the analysis may go straight to
// closure when no action is needed, and actions may send it back to analysis.
var adverseMoves = map[AdverseStatus][]AdverseStatus{
	AdverseDeclared: {AdverseAnalysis},
	AdverseAnalysis: {AdverseActions, AdverseClosed},
	AdverseActions:  {AdverseAnalysis, AdverseClosed},
}

// Next lists the statuses reachable from s.
func (s AdverseStatus) Next() []AdverseStatus { return adverseMoves[s] }

// AdverseMove checks a status move of f to to; the refusal is a French
// message on the "status" field.
func AdverseMove(f AdverseEvent, to AdverseStatus) error {
	var v ValidationError
	allowed := false
	for _, n := range adverseMoves[f.Status] {
		allowed = allowed || n == to
	}
	switch {
	case !allowed:
		v.Add("status", fmt.Sprintf("Passage de « %s » à « %s » impossible.", f.Status.Label(), to.Label()))
	case (to == AdverseActions || to == AdverseClosed) && f.Causes == "":
		v.Add("status", fmt.Sprintf("Renseignez l'analyse des causes avant de passer à « %s ».", to.Label()))
	case to == AdverseClosed && f.Serious() && f.ARSPart1.IsZero():
		v.Add("status", "Un événement grave ne peut être clôturé sans la date de déclaration à l'ARS (partie 1).")
	case to == AdverseClosed && f.Serious() && f.ARSPart2.IsZero():
		v.Add("status", "Un événement grave ne peut être clôturé avant la transmission de la partie 2 à l'ARS.")
	}
	return v.Err()
}

// AdverseEvent is one FEI of an establishment.
type AdverseEvent struct {
	ID              uuid.UUID
	EstablishmentID uuid.UUID
	UsagerID        uuid.UUID // Nil when about no one in particular
	UsagerName      string    // filled by lists
	FromEventID     uuid.UUID // the timeline event it was drafted from
	OccurredAt      time.Time
	Place           string
	Description     string
	Measures        string // immediate measures
	Category        AdverseCategory
	Severity        int  // 1 (mineure) to 5 (catastrophique)
	LifeThreatening bool // décès ou mise en jeu du pronostic vital
	Status          AdverseStatus
	Causes          string    // analysis
	ARSPart1        time.Time // date of the ARS declaration, part 1 (zero when not yet)
	ARSPart2        time.Time // part 2
	ClosedAt        time.Time
	DeclaredAt      time.Time // in Relais
	AuthorID        uuid.UUID
	AuthorName      string
	Actions         []AdverseAction
}

// Serious is an EIGS / serious dysfunction to declare to the ARS: severity
// 4 or 5, or a death or life-threatening outcome.
func (f AdverseEvent) Serious() bool { return f.Severity >= 4 || f.LifeThreatening }

// ARSPart1Hours is our reading of "sans délai" for part 1: late when the ARS
// declaration is not recorded within 48 hours of the declaration in Relais.
const ARSPart1Hours = 48

// ARSPart1Due is when part 1 should be declared at the latest (zero when
// not serious).
func (f AdverseEvent) ARSPart1Due() time.Time {
	if !f.Serious() {
		return time.Time{}
	}
	return f.DeclaredAt.Add(ARSPart1Hours * time.Hour)
}

// ARSPart2Due is 3 months after part 1 (after its due date while part 1 is
// not declared).
func (f AdverseEvent) ARSPart2Due() time.Time {
	if !f.Serious() {
		return time.Time{}
	}
	base := f.ARSPart1
	if base.IsZero() {
		base = f.ARSPart1Due().In(Paris())
		base = time.Date(base.Year(), base.Month(), base.Day(), 0, 0, 0, 0, time.UTC)
	}
	return AddMonths(base, 3)
}

// ARSState says where the ARS declarations stand at now: "" when not
// serious or both parts are declared; otherwise the state of the part due.
func (f AdverseEvent) ARSState(now time.Time) ARSDeadline {
	if !f.Serious() {
		return ""
	}
	if f.ARSPart1.IsZero() {
		switch {
		case now.After(f.ARSPart1Due()):
			return ARSPart1Late
		}
		return ARSPart1Pending
	}
	if f.ARSPart2.IsZero() {
		switch DeadlineState(f.ARSPart2Due(), now) {
		case DeadlineLate:
			return ARSPart2Late
		case DeadlineSoon:
			return ARSPart2Soon
		}
		return ARSPart2Pending
	}
	return ARSDone
}

// ARSDeadline is the state of the ARS declarations of a serious FEI.
type ARSDeadline string

// ARS deadline states.
const (
	ARSPart1Pending ARSDeadline = "p1_pending"
	ARSPart1Late    ARSDeadline = "p1_late"
	ARSPart2Pending ARSDeadline = "p2_pending"
	ARSPart2Soon    ARSDeadline = "p2_soon"
	ARSPart2Late    ARSDeadline = "p2_late"
	ARSDone         ARSDeadline = "done"
)

// Label is the French name.
func (s ARSDeadline) Label() string {
	switch s {
	case ARSPart1Pending:
		return "Déclaration ARS (partie 1) à faire sans délai"
	case ARSPart1Late:
		return "Déclaration ARS (partie 1) en retard"
	case ARSPart2Pending:
		return "Partie 2 (analyse) à transmettre"
	case ARSPart2Soon:
		return "Partie 2 (analyse) à échéance dans moins de 30 jours"
	case ARSPart2Late:
		return "Partie 2 (analyse) en retard"
	case ARSDone:
		return "Déclarations ARS faites"
	}
	return string(s)
}

// Class is the CSS class of the badge (deadline-late/soon/ok).
func (s ARSDeadline) Class() string {
	switch s {
	case ARSPart1Late, ARSPart2Late:
		return "late"
	case ARSPart1Pending, ARSPart2Soon:
		return "soon"
	}
	return "ok"
}

// Late is true when a declaration is overdue.
func (s ARSDeadline) Late() bool { return s == ARSPart1Late || s == ARSPart2Late }

// SeverityLabel is the French name of a severity level.
func SeverityLabel(n int) string {
	switch n {
	case 1:
		return "1 · Mineure"
	case 2:
		return "2 · Significative"
	case 3:
		return "3 · Majeure"
	case 4:
		return "4 · Critique"
	case 5:
		return "5 · Catastrophique"
	}
	return strconv.Itoa(n)
}

// AdverseInput is a declaration as typed.
type AdverseInput struct {
	EstablishmentID string
	UsagerID        string
	FromEventID     string
	OccurredAt      string
	Place           string
	Description     string
	Measures        string
	Category        string
	Severity        string
	LifeThreatening bool
}

// Parse checks a declaration; times are read in Europe/Paris.
func (in AdverseInput) Parse() (AdverseEvent, error) {
	var v ValidationError
	f := AdverseEvent{Place: strings.TrimSpace(in.Place), Description: strings.TrimSpace(in.Description),
		Measures: strings.TrimSpace(in.Measures), Category: AdverseCategory(in.Category), LifeThreatening: in.LifeThreatening,
		Status: AdverseDeclared}
	var err error
	if f.EstablishmentID, err = uuid.Parse(strings.TrimSpace(in.EstablishmentID)); err != nil {
		v.Add("establishment_id", "Choisissez l'établissement.")
	}
	if s := strings.TrimSpace(in.UsagerID); s != "" {
		if f.UsagerID, err = uuid.Parse(s); err != nil {
			v.Add("usager_id", "La personne concernée n'est pas reconnue.")
		}
	}
	if s := strings.TrimSpace(in.FromEventID); s != "" {
		if f.FromEventID, err = uuid.Parse(s); err != nil {
			v.Add("from_event_id", "L'événement d'origine n'est pas reconnu.")
		}
	}
	var ok bool
	if f.OccurredAt, ok = parseDateTime(in.OccurredAt); !ok {
		v.Add("occurred_at", "La date et l'heure de l'événement sont obligatoires (jj/mm/aaaa hh:mm).")
	}
	if f.Description == "" {
		v.Add("description", "Décrivez ce qui s'est passé.")
	}
	known := false
	for _, c := range AllAdverseCategories {
		known = known || c == f.Category
	}
	if !known {
		v.Add("category", "Choisissez la catégorie de l'événement.")
	}
	if f.Severity, err = strconv.Atoi(strings.TrimSpace(in.Severity)); err != nil || f.Severity < 1 || f.Severity > 5 {
		v.Add("severity", "Choisissez la gravité, de 1 (mineure) à 5 (catastrophique).")
	}
	return f, v.Err()
}

// AdverseFollowUpInput is the analysis and the ARS dates as typed.
type AdverseFollowUpInput struct {
	Causes   string
	ARSPart1 string
	ARSPart2 string
}

// Apply checks the input and sets it on f.
func (in AdverseFollowUpInput) Apply(f *AdverseEvent) error {
	var v ValidationError
	f.Causes = strings.TrimSpace(in.Causes)
	var p1, p2 time.Time
	var ok bool
	if s := strings.TrimSpace(in.ARSPart1); s != "" {
		if p1, ok = ParseDate(s); !ok {
			v.Add("ars_part1", "La date de déclaration (partie 1) n'est pas valide.")
		} else if p1.Before(AdverseDay(f.OccurredAt)) {
			v.Add("ars_part1", "La déclaration ne peut précéder l'événement.")
		}
	}
	if s := strings.TrimSpace(in.ARSPart2); s != "" {
		if p2, ok = ParseDate(s); !ok {
			v.Add("ars_part2", "La date de transmission (partie 2) n'est pas valide.")
		} else if p1.IsZero() {
			v.Add("ars_part2", "Indiquez d'abord la date de la partie 1.")
		} else if p2.Before(p1) {
			v.Add("ars_part2", "La partie 2 ne peut précéder la partie 1.")
		}
	}
	if (!p1.IsZero() || !p2.IsZero()) && !f.Serious() {
		v.Add("ars_part1", "Seuls les événements graves sont déclarés à l'ARS.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	f.ARSPart1, f.ARSPart2 = p1, p2
	return nil
}

// AdverseDay is the calendar day (midnight UTC) of an instant in Paris.
func AdverseDay(t time.Time) time.Time {
	p := t.In(Paris())
	return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
}

// AdverseAction is a corrective action decided after the analysis.
type AdverseAction struct {
	ID        uuid.UUID
	AdverseID uuid.UUID
	Title     string
	Owner     string
	Due       time.Time
	Done      bool
}

// AdverseActionInput is an action as typed.
type AdverseActionInput struct {
	Title string
	Owner string
	Due   string
}

// Parse checks an action.
func (in AdverseActionInput) Parse() (AdverseAction, error) {
	var v ValidationError
	a := AdverseAction{Title: strings.TrimSpace(in.Title), Owner: strings.TrimSpace(in.Owner)}
	if a.Title == "" {
		v.Add("action_title", "Décrivez l'action corrective.")
	}
	if a.Owner == "" {
		v.Add("action_owner", "Indiquez qui porte l'action.")
	}
	var ok bool
	if a.Due, ok = ParseDate(in.Due); !ok {
		v.Add("action_due", "L'échéance est obligatoire (jj/mm/aaaa).")
	}
	return a, v.Err()
}

// AdverseQuery selects the FEI a reader may list: in WithUsager all of them
// (care readers), in Establishments only those about no one in particular.
type AdverseQuery struct {
	WithUsager     []uuid.UUID
	Establishments []uuid.UUID
	OpenOnly       bool
}
