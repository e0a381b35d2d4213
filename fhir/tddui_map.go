package fhir

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// FHIR → domain mappers of the TDDUI import for the resources that have no
// write interaction of their own (Encounter, RelatedPerson, CarePlan and
// Goal, AllergyIntolerance). Each is the inverse of its projection; errors
// are badInput with a path relative to the resource ("code.text"), which
// the importer prefixes with the entry.

// fhirDate reads a FHIR date or dateTime ("" gives the zero time).
func fhirDate(s *string, path string) (time.Time, error) {
	if s == nil || *s == "" {
		return time.Time{}, nil
	}
	v := *s
	for _, layout := range []string{"2006-01-02", time.RFC3339, "2006-01-02T15:04:05.000Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			if layout == "2006-01-02" {
				return t, nil
			}
			return t.UTC(), nil
		}
	}
	return time.Time{}, badInput{path, "Date invalide : " + v + " (AAAA-MM-JJ attendu)."}
}

// dateOnly keeps the calendar day of a date or dateTime in Paris.
func dateOnly(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	p := t.In(domain.Paris())
	return time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC)
}

func text(cc *fm.CodeableConcept) string {
	if cc == nil {
		return ""
	}
	if cc.Text != nil {
		return *cc.Text
	}
	for _, c := range cc.Coding {
		if c.Display != nil {
			return *c.Display
		}
	}
	return ""
}

func code(cc *fm.CodeableConcept) string {
	if cc == nil {
		return ""
	}
	for _, c := range cc.Coding {
		if c.Code != nil {
			return *c.Code
		}
	}
	return ""
}

// fieldError turns a domain validation error into a badInput at path.
func fieldError(err error, paths map[string]string, fallback string) error {
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		return err
	}
	fields := make([]string, 0, len(v.Fields))
	for f := range v.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	path := paths[fields[0]]
	if path == "" {
		path = fallback
	}
	return badInput{path, v.Fields[fields[0]]}
}

// stayHistory writes a stay of the sending organisation as a line of the
// record's history: an establishment of another organisation cannot hold a
// stay of the receiving one.
func stayHistory(e fm.Encounter, provider string) (string, error) {
	var b strings.Builder
	b.WriteString("Séjour antérieur (transfert TDDUI) : ")
	if provider == "" {
		provider = "structure d'origine"
	}
	b.WriteString(provider)
	for _, t := range e.Type {
		if s := text(&t); s != "" {
			b.WriteString(" — " + s)
		}
	}
	status := map[fm.EncounterStatus]domain.StayStatus{fm.EncounterStatusPlanned: domain.StayPreadmission,
		fm.EncounterStatusInProgress: domain.StayAdmitted, fm.EncounterStatusFinished: domain.StayDischarged,
		fm.EncounterStatusCancelled: domain.StayCancelled}[e.Status]
	if status != "" {
		b.WriteString(" — " + status.Label())
	}
	if e.Period != nil {
		start, err := fhirDate(e.Period.Start, "period.start")
		if err != nil {
			return "", err
		}
		end, err := fhirDate(e.Period.End, "period.end")
		if err != nil {
			return "", err
		}
		if !start.IsZero() {
			b.WriteString(" — du " + domain.FrenchDate(dateOnly(start)))
		}
		if !end.IsZero() {
			b.WriteString(" au " + domain.FrenchDate(dateOnly(end)))
		}
	}
	if e.Hospitalization != nil {
		if r := text(e.Hospitalization.DischargeDisposition); r != "" {
			b.WriteString(" — motif de sortie : " + r)
		}
	}
	b.WriteString(".")
	return b.String(), nil
}

// stayMode is the modalité d'accueil an Encounter names (its type's text,
// as Relais writes it), or "" when none is known.
func stayMode(e fm.Encounter) domain.Mode {
	for _, t := range e.Type {
		for _, m := range domain.AllModes {
			if strings.EqualFold(text(&t), m.Label()) || code(&t) == string(m) {
				return m
			}
		}
	}
	return ""
}

var contactPaths = map[string]string{"last_name": "name[0].family", "first_name": "name[0].given", "roles": "relationship",
	"legal_protection": "relationship", "phone": "telecom", "email": "telecom", "address": "address"}

// contactFromFHIR maps a RelatedPerson to a member of the entourage: the
// relationships that name a role (personne de confiance…) are its roles,
// the first other one its relationship.
func contactFromFHIR(r fm.RelatedPerson) (domain.Contact, error) {
	var in domain.ContactInput
	if len(r.Name) > 0 {
		if r.Name[0].Family != nil {
			in.LastName = *r.Name[0].Family
		}
		in.FirstName = strings.Join(r.Name[0].Given, " ")
	}
	for _, rel := range r.Relationship {
		t := text(&rel)
		role := ""
		for _, k := range domain.AllContactRoles {
			if strings.EqualFold(t, k.Label()) || code(&rel) == string(k) {
				role = string(k)
			}
		}
		switch {
		case role != "":
			in.Roles = append(in.Roles, role)
		case in.Relationship == "":
			in.Relationship = t
		}
	}
	for _, t := range r.Telecom {
		if t.System == nil || t.Value == nil {
			continue
		}
		switch *t.System {
		case fm.ContactPointSystemPhone:
			in.Phone = *t.Value
		case fm.ContactPointSystemEmail:
			in.Email = *t.Value
		}
	}
	if len(r.Address) > 0 {
		a := r.Address[0]
		if a.Text != nil {
			in.Address = *a.Text
		} else {
			parts := slices.Clone(a.Line)
			if a.PostalCode != nil || a.City != nil {
				parts = append(parts, strings.TrimSpace(deref(a.PostalCode)+" "+deref(a.City)))
			}
			in.Address = strings.Join(parts, ", ")
		}
	}
	c, err := in.Parse()
	return c, fieldError(err, contactPaths, "RelatedPerson")
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// allergyFromFHIR maps an AllergyIntolerance to a medical item (allergy
// or intolerance), checked as the medical form checks it.
func allergyFromFHIR(a fm.AllergyIntolerance, today time.Time) (domain.MedicalItem, error) {
	in := domain.MedicalItemInput{Kind: string(domain.MedicalAllergy), Label: text(a.Code), Criticality: string(domain.CriticalityUnknown)}
	if a.Type != nil && *a.Type == fm.AllergyIntoleranceTypeIntolerance {
		in.Kind = string(domain.MedicalIntolerance)
	}
	if a.Criticality != nil {
		in.Criticality = a.Criticality.Code()
	}
	if a.OnsetDateTime != nil {
		t, err := fhirDate(a.OnsetDateTime, "onsetDateTime")
		if err != nil {
			return domain.MedicalItem{}, err
		}
		in.Onset = dateOnly(t).Format("2006-01-02")
	}
	var reactions []string
	for _, r := range a.Reaction {
		for _, m := range r.Manifestation {
			if t := text(&m); t != "" {
				reactions = append(reactions, t)
			}
		}
	}
	in.Reaction = strings.Join(reactions, " ; ")
	var notes []string
	for _, n := range a.Note {
		notes = append(notes, n.Text)
	}
	in.Note = strings.Join(notes, "\n")
	m, err := in.Parse(today)
	if err != nil {
		return m, fieldError(err, map[string]string{"kind": "type", "label": "code.text", "criticality": "criticality",
			"onset": "onsetDateTime", "note": "note"}, "AllergyIntolerance")
	}
	switch {
	case code(a.VerificationStatus) == "entered-in-error":
		m.Status, m.StatusNote = domain.MedicalErroneous, "Saisie erronée dans la structure d'origine."
	case code(a.ClinicalStatus) == "resolved" || code(a.ClinicalStatus) == "inactive":
		m.Status = domain.MedicalResolved
	}
	if a.Recorder != nil && a.Recorder.Display != nil {
		m.AuthorName = *a.Recorder.Display
	}
	if a.RecordedDate != nil {
		t, err := fhirDate(a.RecordedDate, "recordedDate")
		if err != nil {
			return m, err
		}
		m.RecordedAt = t
	}
	return m, nil
}

// goalFromFHIR maps a Goal of the plan; the notes Relais writes ("Résultat
// attendu : …", "Avis de la personne : …") come back to their fields, the
// evaluation (achievementStatus and "Évaluation : …") is returned for the
// review it belongs to.
func goalFromFHIR(g fm.Goal) (domain.Goal, *goalEvaluation, error) {
	out := domain.Goal{ID: newID(), Title: text(&g.Description), Status: map[fm.GoalLifecycleStatus]domain.ItemStatus{
		fm.GoalLifecycleStatusProposed: domain.ItemEnPreparation, fm.GoalLifecycleStatusPlanned: domain.ItemEnPreparation,
		fm.GoalLifecycleStatusAccepted: domain.ItemEnPreparation, fm.GoalLifecycleStatusActive: domain.ItemActif,
		fm.GoalLifecycleStatusOnHold: domain.ItemActif, fm.GoalLifecycleStatusCompleted: domain.ItemTermine,
		fm.GoalLifecycleStatusCancelled: domain.ItemAnnule, fm.GoalLifecycleStatusRejected: domain.ItemAnnule}[g.LifecycleStatus]}
	for _, c := range g.Category {
		for _, d := range domain.AllGoalDomains {
			if code(&c) == string(d) || strings.EqualFold(text(&c), d.Label()) {
				out.Domain = d
			}
		}
	}
	if out.Domain == "" {
		return out, nil, badInput{"category", "Domaine de l'objectif inconnu : un code du système urn:relais:goal-domain est attendu (sante, autonomie, vie_sociale…)."}
	}
	if strings.TrimSpace(out.Title) == "" {
		return out, nil, badInput{"description.text", "L'intitulé de l'objectif est obligatoire."}
	}
	var err error
	if out.Start, err = fhirDate(g.StartDate, "startDate"); err != nil {
		return out, nil, err
	}
	if len(g.Target) > 0 {
		if out.End, err = fhirDate(g.Target[0].DueDate, "target[0].dueDate"); err != nil {
			return out, nil, err
		}
	}
	var ev *goalEvaluation
	if g.AchievementStatus != nil {
		r := map[string]domain.EvaluationResult{"achieved": domain.ResultAtteint, "improving": domain.ResultPartiel,
			"not-achieved": domain.ResultNonAtteint}[code(g.AchievementStatus)]
		if r != "" {
			ev = &goalEvaluation{GoalEvaluation: domain.GoalEvaluation{GoalID: out.ID, Result: r}}
		}
	}
	for i, n := range g.Note {
		switch {
		case strings.HasPrefix(n.Text, "Résultat attendu : "):
			out.ExpectedResult = strings.TrimPrefix(n.Text, "Résultat attendu : ")
		case strings.HasPrefix(n.Text, "Avis de la personne : "):
			out.PersonOpinion = strings.TrimPrefix(n.Text, "Avis de la personne : ")
		case strings.HasPrefix(n.Text, "Évaluation : ") && ev != nil:
			ev.Comment = strings.TrimPrefix(n.Text, "Évaluation : ")
			if ev.date, err = fhirDate(n.Time, fmt.Sprintf("note[%d].time", i)); err != nil {
				return out, nil, err
			}
		default:
			out.ExpectedResult = strings.TrimSpace(out.ExpectedResult + "\n" + n.Text)
		}
	}
	return out, ev, nil
}

// mappedGoal is a goal read from its entry, with its evaluation.
type mappedGoal struct {
	goal domain.Goal
	ev   *goalEvaluation
}

// goalEvaluation is a goal's evaluation with the date of its review.
type goalEvaluation struct {
	domain.GoalEvaluation
	date time.Time
}

// planFromFHIR maps a CarePlan and its goals to a plan version of the
// receiving establishment. Expectations and reviews travel as the notes
// Relais writes ("Attente (…) : …", "Bilan : …"). A finished version stays
// finished; any other becomes a draft (ENPREPARATION): the agreements of
// the sending structure do not bind the receiving one, which adopts the
// plan with its own.
func planFromFHIR(cp fm.CarePlan, goals []mappedGoal) (domain.Plan, error) {
	p := domain.Plan{Status: domain.PlanEnPreparation, Version: 1}
	if cp.Status == fm.RequestStatusCompleted || cp.Status == fm.RequestStatusRevoked {
		p.Status = domain.PlanTermine
	}
	if cp.Period != nil {
		var err error
		if p.StartedOn, err = fhirDate(cp.Period.Start, "period.start"); err != nil {
			return p, err
		}
		if p.EndedOn, err = fhirDate(cp.Period.End, "period.end"); err != nil {
			return p, err
		}
	}
	reviews := map[string]int{}
	for i, n := range cp.Note {
		switch {
		case strings.HasPrefix(n.Text, "Attente ("):
			label, body, _ := strings.Cut(strings.TrimPrefix(n.Text, "Attente ("), ") : ")
			e := domain.Expectation{ID: newID(), Origin: domain.OriginPartenaire, Text: body}
			for _, o := range domain.AllExpectationOrigins {
				if o.Label() == label {
					e.Origin = o
				}
			}
			p.Expectations = append(p.Expectations, e)
		case strings.HasPrefix(n.Text, "Bilan : "):
			d, err := fhirDate(n.Time, fmt.Sprintf("note[%d].time", i))
			if err != nil {
				return p, err
			}
			if d.IsZero() {
				return p, badInput{fmt.Sprintf("note[%d].time", i), "Un bilan doit être daté (note.time)."}
			}
			reviews[d.Format("2006-01-02")] = len(p.Reviews)
			p.Reviews = append(p.Reviews, domain.Review{ID: newID(), Date: d, Synthesis: strings.TrimPrefix(n.Text, "Bilan : ")})
		default:
			p.Expectations = append(p.Expectations, domain.Expectation{ID: newID(), Origin: domain.OriginPartenaire, Text: n.Text})
		}
	}
	for _, g := range goals {
		p.Goals = append(p.Goals, g.goal)
		ev := g.ev
		if ev == nil {
			continue
		}
		if i, ok := reviews[ev.date.Format("2006-01-02")]; ok {
			p.Reviews[i].Evaluations = append(p.Reviews[i].Evaluations, ev.GoalEvaluation)
		} else if len(p.Reviews) > 0 {
			last := len(p.Reviews) - 1
			p.Reviews[last].Evaluations = append(p.Reviews[last].Evaluations, ev.GoalEvaluation)
		}
	}
	return p, nil
}

func newID() uuid.UUID { return uuid.Must(uuid.NewV7()) }
