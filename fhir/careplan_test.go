package fhir_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// The personalised plan reads as a CarePlan with its goals, searched by
// person; a goal reads by its own id.
func TestCarePlanAndGoals(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/CarePlan.read", "system/Goal.read")
	p := domain.NewPlan(a.inA, a.estA, 0)
	if err := p.AddExpectation(domain.Expectation{Origin: domain.OriginUsager, Text: "Continuer à jardiner", RecordedOn: time.Now()}); err != nil {
		t.Fatal(err)
	}
	g, err := domain.GoalInput{Domain: "autonomie", Title: "Marcher jusqu'au jardin", PersonOpinion: "D'accord", Start: "2026-01-15", End: "2026-12-31"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AddGoal(g); err != nil {
		t.Fatal(err)
	}
	err = a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error { return tx.CreatePlan(&p) })
	if err != nil {
		t.Fatal(err)
	}
	tok := a.bearer("hopital")
	code, cp := a.get(tok, "/fhir/CarePlan/"+p.ID.String())
	if code != 200 || cp["status"] != "draft" || cp["intent"] != "plan" || len(cp["goal"].([]any)) != 1 {
		t.Fatalf("care plan: %d %v", code, cp)
	}
	goalRef := cp["goal"].([]any)[0].(map[string]any)["reference"].(string)
	code, gl := a.get(tok, "/fhir/"+goalRef)
	if code != 200 || gl["lifecycleStatus"] != "proposed" || gl["description"].(map[string]any)["text"] != "Marcher jusqu'au jardin" {
		t.Fatalf("goal: %d %v", code, gl)
	}
	if code, b := a.get(tok, "/fhir/Goal?patient="+a.inA.String()); code != 200 || b["total"].(float64) != 1 {
		t.Fatalf("goals of the person: %d %v", code, b)
	}
	if code, b := a.get(tok, "/fhir/CarePlan?patient="+a.inB.String()); code != 200 || b["total"].(float64) != 0 {
		t.Fatalf("plans of a person of another establishment: %d %v", code, b)
	}
}
