package fhir_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// The resources of one person's record: read by id, searched by patient,
// invisible outside the client's establishment, gated by the section.
func TestRecordResources(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/*.read")
	a.client("educ", domain.RoleEducateur, "system/*.read")
	var contact, allergyID, observationID, stayA, stayB uuid.UUID
	err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
		c, err := domain.ContactInput{LastName: "Dupont", FirstName: "Luc", Relationship: "fils", Roles: []string{"personne_de_confiance"}, Phone: "0600000000"}.Parse()
		if err != nil {
			return err
		}
		c.UsagerID = a.inA
		if err := tx.SaveContact(&c); err != nil {
			return err
		}
		contact = c.ID
		m, err := domain.MedicalItemInput{Kind: "allergie", Label: "Pénicillines", Criticality: "high", Reaction: "œdème"}.Parse(time.Now())
		if err != nil {
			return err
		}
		m.UsagerID, m.AuthorID, m.AuthorName = a.inA, uuid.New(), "Dr Test"
		if err := tx.SaveMedicalItem(&m); err != nil {
			return err
		}
		allergyID = m.ID
		obs, err := domain.ObservationInput{Type: "poids", Value: "61,4"}.Parse(time.Now())
		if err != nil {
			return err
		}
		obs.UsagerID, obs.EstablishmentID, obs.AuthorID, obs.AuthorName = a.inA, a.estA, uuid.New(), "AS Test"
		batch := []domain.Observation{obs}
		if err := tx.SaveObservations(batch); err != nil {
			return err
		}
		observationID = batch[0].ID
		stays, err := tx.Stays(a.inA)
		if err != nil {
			return err
		}
		stayA = stays[0].ID
		stays, err = tx.Stays(a.inB)
		stayB = stays[0].ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tok, educ := a.bearer("hopital"), a.bearer("educ")

	for _, tc := range []struct {
		name, token, path string
		code              int
		check             func(map[string]any) bool
	}{
		{"encounter", tok, "/fhir/Encounter/" + stayA.String(), 200, func(r map[string]any) bool {
			return r["status"] == "in-progress" && r["subject"].(map[string]any)["reference"] == "Patient/"+a.inA.String()
		}},
		{"encounter of B", tok, "/fhir/Encounter/" + stayB.String(), 404, nil},
		{"related person", tok, "/fhir/RelatedPerson/" + contact.String(), 200, func(r map[string]any) bool {
			return len(r["relationship"].([]any)) == 2
		}},
		{"allergy", tok, "/fhir/AllergyIntolerance/" + allergyID.String(), 200, func(r map[string]any) bool {
			return r["criticality"] == "high" && r["code"].(map[string]any)["text"] == "Pénicillines"
		}},
		{"observation", tok, "/fhir/Observation/" + observationID.String(), 200, func(r map[string]any) bool {
			q := r["valueQuantity"].(map[string]any)
			return q["value"].(float64) == 61.4 && q["code"] == "kg" && r["code"].(map[string]any)["coding"].([]any)[0].(map[string]any)["code"] == "29463-7"
		}},
		{"observations of a person", tok, "/fhir/Observation?patient=" + a.inA.String(), 200, func(b map[string]any) bool { return b["total"].(float64) == 1 }},
		{"observation for a role without the care section", educ, "/fhir/Observation/" + observationID.String(), 403, nil},
		{"allergy for a role without the medical section", educ, "/fhir/AllergyIntolerance/" + allergyID.String(), 403, nil},
		{"encounters of a person", tok, "/fhir/Encounter?patient=Patient/" + a.inA.String(), 200, func(b map[string]any) bool { return b["total"].(float64) == 1 }},
		{"allergies of a person", tok, "/fhir/AllergyIntolerance?patient=" + a.inA.String(), 200, func(b map[string]any) bool { return b["total"].(float64) == 1 }},
		{"entourage of a person of B", tok, "/fhir/RelatedPerson?patient=" + a.inB.String(), 200, func(b map[string]any) bool { return b["total"].(float64) == 0 }},
		{"search without patient", tok, "/fhir/Encounter", 400, nil},
		{"search with another parameter", tok, "/fhir/Encounter?patient=" + a.inA.String() + "&status=finished", 400, nil},
		{"organisations", tok, "/fhir/Organization", 200, func(b map[string]any) bool { return b["total"].(float64) == 3 }},
		{"organisation by FINESS", tok, "/fhir/Organization?identifier=https://finess.esante.gouv.fr|690000025", 200, func(b map[string]any) bool { return b["total"].(float64) == 1 }},
		{"establishment", tok, "/fhir/Organization/" + a.estA.String(), 200, func(r map[string]any) bool {
			return r["partOf"].(map[string]any)["reference"] == "Organization/"+a.org.String()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := a.get(tc.token, tc.path)
			if code != tc.code {
				t.Fatalf("%d %v", code, out)
			}
			if code >= 400 {
				diagnostics(t, out)
			} else if tc.check != nil && !tc.check(out) {
				t.Fatalf("unexpected resource %v", out)
			}
		})
	}
	if n := a.count(`SELECT count(*) FROM access_trail WHERE username = 'client:hopital' AND section = 'medical' AND usager_id = ?`, a.inA); n != 2 {
		t.Errorf("medical reads traced: %d, want 2", n)
	}
}
