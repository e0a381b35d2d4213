package fhir

import (
	"strconv"

	"github.com/google/uuid"
	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/relais-dui/relais/domain"
)

// carePlan projects one version of the personalised plan (TDDUI: the
// projet personnalisé is a CarePlan; its goals are Goal resources). An
// earlier version is replaced by the next (replaces).
func carePlan(p domain.Plan, cat domain.Category) fm.CarePlan {
	status := map[domain.PlanStatus]fm.RequestStatus{
		domain.PlanEnPreparation: fm.RequestStatusDraft, domain.PlanEnCours: fm.RequestStatusActive,
		domain.PlanEnPause: fm.RequestStatusOnHold, domain.PlanTermine: fm.RequestStatusCompleted,
	}[p.Status]
	cp := fm.CarePlan{Id: ptr(p.ID.String()), Status: status, Intent: fm.CarePlanIntentPlan, Subject: *ref("Patient", p.UsagerID),
		Title: ptr(domain.PlanLabel(cat)), Created: ptr(p.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")),
		Identifier: []fm.Identifier{{System: ptr("urn:relais:plan-version"), Value: ptr(p.ID.String() + "#" + strconv.Itoa(p.Version))}},
		Author:     ref("Organization", p.EstablishmentID)}
	if p.PreviousID != uuid.Nil {
		cp.Replaces = []fm.Reference{*ref("CarePlan", p.PreviousID)}
	}
	if !p.StartedOn.IsZero() {
		cp.Period = &fm.Period{Start: date(p.StartedOn)}
		if !p.EndedOn.IsZero() {
			cp.Period.End = date(p.EndedOn)
		}
	}
	for _, g := range p.Goals {
		cp.Goal = append(cp.Goal, *ref("Goal", g.ID))
	}
	for _, e := range p.Expectations {
		cp.Note = append(cp.Note, fm.Annotation{Text: "Attente (" + e.Origin.Label() + ") : " + e.Text})
	}
	for _, r := range p.Reviews {
		cp.Note = append(cp.Note, fm.Annotation{Time: date(r.Date), Text: "Bilan : " + r.Synthesis})
	}
	return cp
}

// goal projects a goal of the plan with its latest evaluation.
func goal(p domain.Plan, g domain.Goal) fm.Goal {
	lifecycle := map[domain.ItemStatus]fm.GoalLifecycleStatus{
		domain.ItemEnPreparation: fm.GoalLifecycleStatusProposed, domain.ItemActif: fm.GoalLifecycleStatusActive,
		domain.ItemTermine: fm.GoalLifecycleStatusCompleted, domain.ItemAnnule: fm.GoalLifecycleStatusCancelled,
	}[g.Status]
	out := fm.Goal{Id: ptr(g.ID.String()), LifecycleStatus: lifecycle, Subject: *ref("Patient", p.UsagerID),
		Description: fm.CodeableConcept{Text: ptr(g.Title)},
		Category:    []fm.CodeableConcept{{Coding: []fm.Coding{{System: ptr("urn:relais:goal-domain"), Code: ptr(string(g.Domain)), Display: ptr(g.Domain.Label())}}}}}
	if !g.Start.IsZero() {
		out.StartDate = date(g.Start)
	}
	if !g.End.IsZero() {
		out.Target = []fm.GoalTarget{{DueDate: date(g.End)}}
	}
	// The expected result is text: a target detail would need a measure
	// (FHIR invariant gol-1), so it travels as a note.
	if g.ExpectedResult != "" {
		out.Note = append(out.Note, fm.Annotation{Text: "Résultat attendu : " + g.ExpectedResult})
	}
	if g.PersonOpinion != "" {
		out.Note = append(out.Note, fm.Annotation{Text: "Avis de la personne : " + g.PersonOpinion})
	}
	// The latest review that evaluated the goal gives its achievement.
	for i := len(p.Reviews) - 1; i >= 0; i-- {
		for _, e := range p.Reviews[i].Evaluations {
			if e.GoalID != g.ID {
				continue
			}
			code := map[domain.EvaluationResult]string{domain.ResultAtteint: "achieved", domain.ResultPartiel: "improving", domain.ResultNonAtteint: "not-achieved"}[e.Result]
			out.AchievementStatus = &fm.CodeableConcept{Coding: []fm.Coding{{System: ptr("http://terminology.hl7.org/CodeSystem/goal-achievement"), Code: ptr(code)}},
				Text: ptr(e.Result.Label())}
			if e.Comment != "" {
				out.Note = append(out.Note, fm.Annotation{Time: date(p.Reviews[i].Date), Text: "Évaluation : " + e.Comment})
			}
			return out
		}
	}
	return out
}
