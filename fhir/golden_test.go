package fhir

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

var update = flag.Bool("update", false, "rewrite the golden files of fhir/testdata")

// golden compares v's JSON with testdata/name.json (rewritten with -update)
// and checks it against the official FHIR R4 JSON schema.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	b, err := marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, b, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	if err := validateFHIR(b); err != nil {
		t.Errorf("%s is not valid FHIR R4 (official JSON schema): %v", name, err)
	}
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./fhir -run Golden -update)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("%s differs from %s:\n%s", name, path, pretty.String())
	}
}

// TestGoldenResources pins the JSON of every resource type Relais emits, for
// fixed records shaped like the demo's.
func TestGoldenResources(t *testing.T) {
	id := func(s string) uuid.UUID { return uuid.MustParse(s) }
	org := id("0190a1b2-0000-7000-8000-000000000001")
	ehpad := id("0190a1b2-0000-7000-8000-000000000002")
	ssiad := id("0190a1b2-0000-7000-8000-000000000003")
	jeanne := id("0190a1b2-0000-7000-8000-000000000010")
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	u := domain.Usager{ID: jeanne, OrgID: org, BirthName: "Dupont", UsedName: "Martin", FirstNames: []string{"Jeanne", "Marie"},
		BirthDate: time.Date(1931, 4, 12, 0, 0, 0, 0, time.UTC), Sex: domain.SexF, BirthPlaceCode: "35238", IdentityStatus: domain.IdentityQUAL,
		Address: "12 rue des Tilleuls", PostalCode: "69250", City: "Neuville-sur-Saône", Phone: "04 78 00 00 00", UpdatedAt: at}
	qual := domain.Identity{Status: domain.IdentityQUAL, INS: &ins.Matricule{Number: "297022A020778", Key: "78", OID: ins.OIDNIR},
		INSRetrievedAt: at, Document: domain.DocCNI, DocumentCheckedAt: at}
	prov := domain.Identity{Status: domain.IdentityPROV}
	golden(t, "patient-qual", patient(u, qual))
	u.UsedName, u.IdentityStatus = "", domain.IdentityPROV
	golden(t, "patient-prov", patient(u, prov))
	golden(t, "organization", organisation(domain.Organisation{ID: org, Name: "Association Les Tilleuls", FinessEJ: "690000017"}))
	golden(t, "organization-establishment", establishment(domain.Establishment{ID: ehpad, OrgID: org, Name: "EHPAD Les Tilleuls", FinessET: "690000025", Category: domain.CatEHPAD}))
	golden(t, "encounter-ehpad", encounter(domain.Stay{ID: id("0190a1b2-0000-7000-8000-000000000020"), UsagerID: jeanne, EstablishmentID: ehpad,
		Status: domain.StayAdmitted, Mode: domain.ModePermanent, AdmissionDate: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)}, domain.CatEHPAD))
	golden(t, "encounter-ssiad-finished", encounter(domain.Stay{ID: id("0190a1b2-0000-7000-8000-000000000021"), UsagerID: jeanne, EstablishmentID: ssiad,
		Status: domain.StayDischarged, Mode: domain.ModePermanent, AdmissionDate: time.Date(2022, 5, 2, 0, 0, 0, 0, time.UTC),
		DischargeDate: time.Date(2024, 1, 9, 0, 0, 0, 0, time.UTC), DischargeReason: "Entrée en EHPAD"}, domain.CatSSIAD))
	golden(t, "relatedperson", relatedPerson(domain.Contact{ID: id("0190a1b2-0000-7000-8000-000000000030"), UsagerID: jeanne, LastName: "Martin",
		FirstName: "Luc", Relationship: "fils", Roles: []domain.ContactRole{domain.ContactPersonneConfiance, domain.ContactPersonneAPrevenir},
		Phone: "06 00 00 00 00", Address: "3 place de la Mairie, 69250 Neuville-sur-Saône"}))
	allergyItem := domain.MedicalItem{ID: id("0190a1b2-0000-7000-8000-000000000040"), UsagerID: jeanne, Kind: domain.MedicalAllergy, Label: "Pénicillines",
		Reaction: "œdème de Quincke", Criticality: domain.CriticalityHigh, Onset: time.Date(2012, 6, 1, 0, 0, 0, 0, time.UTC),
		Status: domain.MedicalActive, AuthorName: "Dr Anne Lemoine", RecordedAt: at}
	golden(t, "allergyintolerance", allergy(allergyItem))
	allergyItem.Kind, allergyItem.Label, allergyItem.Criticality, allergyItem.Status = domain.MedicalIntolerance, "Lactose", domain.CriticalityLow, domain.MedicalErroneous
	golden(t, "allergyintolerance-erroneous", allergy(allergyItem))
	plan := domain.Plan{ID: id("0190a1b2-0000-7000-8000-000000000050"), UsagerID: jeanne, EstablishmentID: ehpad, Version: 2,
		PreviousID: id("0190a1b2-0000-7000-8000-000000000049"), Status: domain.PlanEnCours, StartedOn: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), CreatedAt: at,
		Expectations: []domain.Expectation{{Origin: domain.OriginUsager, Text: "Continuer à jardiner"}},
		Goals: []domain.Goal{{ID: id("0190a1b2-0000-7000-8000-000000000060"), Domain: "autonomie", Title: "Marcher jusqu'au jardin", PersonOpinion: "D'accord",
			ExpectedResult: "Sans aide", Start: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Status: domain.ItemActif}},
		Reviews: []domain.Review{{Date: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), Synthesis: "Progrès nets.",
			Evaluations: []domain.GoalEvaluation{{GoalID: id("0190a1b2-0000-7000-8000-000000000060"), Result: domain.ResultPartiel, Comment: "Avec déambulateur"}}}}}
	golden(t, "careplan", carePlan(plan, domain.CatEHPAD))
	golden(t, "goal", goal(plan, plan.Goals[0]))
	golden(t, "observation-weight", observation(domain.Observation{ID: id("0190a1b2-0000-7000-8000-000000000070"), UsagerID: jeanne, Type: domain.ObsWeight,
		Value: 61.4, MeasuredAt: at, RecordedAt: at, AuthorName: "Karima Benali"}))
	golden(t, "observation-bloodpressure", observation(domain.Observation{ID: id("0190a1b2-0000-7000-8000-000000000071"), UsagerID: jeanne, Type: domain.ObsBloodPress,
		Value: 172, Value2: 88, MeasuredAt: at, RecordedAt: at, AuthorName: "Karima Benali", Flagged: true, Comment: "Contrôlée 20 min plus tard"}))
	golden(t, "observation-algoplus-erroneous", observation(domain.Observation{ID: id("0190a1b2-0000-7000-8000-000000000072"), UsagerID: jeanne, Type: domain.ObsAlgoplus,
		Value: 3, MeasuredAt: at, RecordedAt: at, AuthorName: "Karima Benali", ErroneousAt: at, ErroneousReason: "autre résidente"}))
	golden(t, "capabilitystatement", capability("2026-11-23"))
}
