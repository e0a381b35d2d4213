package fhir

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// TestTDDUIMappersRoundTrip: the records the import writes from their own
// projections come back as they were (the entourage, allergies, plan with
// goals, expectations and reviews), and a stay of another organisation
// keeps every trait in its history line.
func TestTDDUIMappersRoundTrip(t *testing.T) {
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	usager := uuid.Must(uuid.NewV7())
	t.Run("entourage", func(t *testing.T) {
		for _, c := range []domain.Contact{
			{LastName: "Martin", FirstName: "Luc", Relationship: "Fils", Roles: []domain.ContactRole{domain.ContactPersonneConfiance, domain.ContactPersonneAPrevenir},
				Phone: "06 00 00 00 00", Email: "luc.martin@example.org", Address: "3 place de la Mairie, 69250 Neuville-sur-Saône"},
			{LastName: "N'Diaye", Relationship: "Voisine", Phone: "04 78 00 00 01"},
		} {
			c.ID, c.UsagerID = uuid.Must(uuid.NewV7()), usager
			back, err := contactFromFHIR(relatedPerson(c))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.EqualFold(back.LastName, c.LastName) || back.FirstName != c.FirstName || back.Relationship != c.Relationship ||
				!slices.Equal(back.Roles, c.Roles) || back.Phone != c.Phone || back.Email != c.Email || back.Address != c.Address {
				t.Errorf("round trip lost data:\n%+v\n%+v", c, back)
			}
		}
	})
	t.Run("allergies", func(t *testing.T) {
		for _, m := range []domain.MedicalItem{
			{Kind: domain.MedicalAllergy, Label: "Pénicillines", Reaction: "œdème de Quincke", Criticality: domain.CriticalityHigh,
				Onset: time.Date(2012, 6, 1, 0, 0, 0, 0, time.UTC), Status: domain.MedicalActive, Note: "Vérifiée en 2020"},
			{Kind: domain.MedicalIntolerance, Label: "Lactose", Criticality: domain.CriticalityLow, Status: domain.MedicalResolved},
			{Kind: domain.MedicalAllergy, Label: "Iode", Criticality: domain.CriticalityUnknown, Status: domain.MedicalErroneous},
		} {
			m.ID, m.UsagerID, m.AuthorName, m.RecordedAt = uuid.Must(uuid.NewV7()), usager, "Dr Anne Lemoine", time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
			back, err := allergyFromFHIR(allergy(m), today)
			if err != nil {
				t.Fatal(err)
			}
			if back.Kind != m.Kind || back.Label != m.Label || back.Reaction != m.Reaction || back.Criticality != m.Criticality ||
				!back.Onset.Equal(m.Onset) || back.Status != m.Status || back.Note != m.Note || back.AuthorName != m.AuthorName || !back.RecordedAt.Equal(m.RecordedAt) {
				t.Errorf("round trip lost data:\n%+v\n%+v", m, back)
			}
		}
	})
	t.Run("plan", func(t *testing.T) {
		g1, g2 := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
		p := domain.Plan{ID: uuid.Must(uuid.NewV7()), UsagerID: usager, EstablishmentID: uuid.Must(uuid.NewV7()), Version: 1, Status: domain.PlanTermine,
			StartedOn: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), EndedOn: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), CreatedAt: today,
			Expectations: []domain.Expectation{{Origin: domain.OriginUsager, Text: "Continuer à jardiner"}, {Origin: domain.OriginProche, Text: "Qu'elle mange mieux"}},
			Goals: []domain.Goal{
				{ID: g1, Domain: domain.DomainAutonomie, Title: "Marcher jusqu'au jardin", PersonOpinion: "D'accord", ExpectedResult: "Sans aide",
					Start: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), Status: domain.ItemTermine},
				{ID: g2, Domain: domain.DomainSante, Title: "Reprendre du poids", Status: domain.ItemAnnule},
			},
			Reviews: []domain.Review{{Date: time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC), Synthesis: "Progrès nets.",
				Evaluations: []domain.GoalEvaluation{{GoalID: g1, Result: domain.ResultPartiel, Comment: "Avec déambulateur"}, {GoalID: g2, Result: domain.ResultNonAtteint}}}}}
		var goals []mappedGoal
		for _, g := range p.Goals {
			var m mappedGoal
			var err error
			if m.goal, m.ev, err = goalFromFHIR(goal(p, g)); err != nil {
				t.Fatal(err)
			}
			goals = append(goals, m)
		}
		back, err := planFromFHIR(carePlan(p, domain.CatEHPAD), goals)
		if err != nil {
			t.Fatal(err)
		}
		if back.Status != p.Status || !back.StartedOn.Equal(p.StartedOn) || !back.EndedOn.Equal(p.EndedOn) || len(back.Expectations) != 2 ||
			len(back.Goals) != 2 || len(back.Reviews) != 1 {
			t.Fatalf("round trip lost data:\n%+v\n%+v", p, back)
		}
		for i, e := range p.Expectations {
			if back.Expectations[i].Origin != e.Origin || back.Expectations[i].Text != e.Text {
				t.Errorf("expectation %+v became %+v", e, back.Expectations[i])
			}
		}
		for i, g := range p.Goals {
			h := back.Goals[i]
			if h.Domain != g.Domain || h.Title != g.Title || h.PersonOpinion != g.PersonOpinion || h.ExpectedResult != g.ExpectedResult ||
				!h.Start.Equal(g.Start) || !h.End.Equal(g.End) || h.Status != g.Status {
				t.Errorf("goal %+v became %+v", g, h)
			}
		}
		r := back.Reviews[0]
		if !r.Date.Equal(p.Reviews[0].Date) || r.Synthesis != p.Reviews[0].Synthesis || len(r.Evaluations) != 2 {
			t.Fatalf("review %+v became %+v", p.Reviews[0], r)
		}
		for i, e := range p.Reviews[0].Evaluations {
			if r.Evaluations[i].GoalID != back.Goals[i].ID || r.Evaluations[i].Result != e.Result || r.Evaluations[i].Comment != e.Comment {
				t.Errorf("evaluation %+v became %+v", e, r.Evaluations[i])
			}
		}
		// A running version arrives as a draft: the receiving structure adopts it.
		p.Status = domain.PlanEnCours
		if back, _ := planFromFHIR(carePlan(p, domain.CatEHPAD), goals); back.Status != domain.PlanEnPreparation {
			t.Errorf("a running plan arrives %s, want ENPREPARATION", back.Status)
		}
	})
	t.Run("stay of another organisation", func(t *testing.T) {
		s := domain.Stay{ID: uuid.Must(uuid.NewV7()), UsagerID: usager, EstablishmentID: uuid.Must(uuid.NewV7()), Status: domain.StayDischarged,
			Mode: domain.ModeDomicile, AdmissionDate: time.Date(2022, 5, 2, 0, 0, 0, 0, time.UTC), DischargeDate: time.Date(2024, 1, 9, 0, 0, 0, 0, time.UTC),
			DischargeReason: "Transfert vers un autre établissement"}
		line, err := stayHistory(encounter(s, domain.CatSSIAD), "SSIAD du Val de Saône (FINESS 690000033)")
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"SSIAD du Val de Saône (FINESS 690000033)", "Intervention à domicile", "Sorti", "du 02/05/2022", "au 09/01/2024",
			"motif de sortie : Transfert vers un autre établissement"} {
			if !strings.Contains(line, want) {
				t.Errorf("history line %q lacks %q", line, want)
			}
		}
		if m := stayMode(encounter(s, domain.CatSSIAD)); m != domain.ModeDomicile {
			t.Errorf("mode %s, want %s", m, domain.ModeDomicile)
		}
	})
}
