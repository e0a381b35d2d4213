package fhir

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

// TestGoldenTDDUIBundle pins the export bundle of a small record (fixed ids
// and clock): entries, fullUrls, conditional creates and the references
// rewritten to the fullUrls.
func TestGoldenTDDUIBundle(t *testing.T) {
	id := func(s string) uuid.UUID { return uuid.MustParse(s) }
	org := id("0190a1b2-0000-7000-8000-000000000001")
	ehpad := id("0190a1b2-0000-7000-8000-000000000002")
	ssiad := id("0190a1b2-0000-7000-8000-000000000003")
	jeanne := id("0190a1b2-0000-7000-8000-000000000010")
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	u := domain.Usager{ID: jeanne, OrgID: org, BirthName: "Dupont", FirstNames: []string{"Jeanne", "Marie"},
		BirthDate: time.Date(1931, 4, 12, 0, 0, 0, 0, time.UTC), Sex: domain.SexF, BirthPlaceCode: "35238", IdentityStatus: domain.IdentityQUAL,
		Address: "12 rue des Tilleuls", PostalCode: "69250", City: "Neuville-sur-Saône", UpdatedAt: at}
	qual := domain.Identity{Status: domain.IdentityQUAL, INS: &ins.Matricule{Number: "297022A020778", Key: "78", OID: ins.OIDNIR},
		INSRetrievedAt: at, Document: domain.DocCNI, DocumentCheckedAt: at}
	goalID := id("0190a1b2-0000-7000-8000-000000000060")
	plan := domain.Plan{ID: id("0190a1b2-0000-7000-8000-000000000050"), UsagerID: jeanne, EstablishmentID: ehpad, Version: 1,
		Status: domain.PlanEnCours, StartedOn: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), CreatedAt: at,
		Expectations: []domain.Expectation{{Origin: domain.OriginUsager, Text: "Continuer à jardiner"}},
		Goals: []domain.Goal{{ID: goalID, Domain: domain.DomainAutonomie, Title: "Marcher jusqu'au jardin", ExpectedResult: "Sans aide",
			Start: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Status: domain.ItemActif}}}
	items := []bundleItem{
		{"Patient", jeanne, exportPatient(u, qual, "690000025")},
		{"Organization", org, organisation(domain.Organisation{ID: org, Name: "Association Les Tilleuls", FinessEJ: "690000017"})},
		{"Organization", ehpad, establishment(domain.Establishment{ID: ehpad, OrgID: org, Name: "EHPAD Les Tilleuls", FinessET: "690000025", Category: domain.CatEHPAD})},
		{"Organization", ssiad, establishment(domain.Establishment{ID: ssiad, OrgID: org, Name: "SSIAD du Val de Saône", FinessET: "690000033", Category: domain.CatSSIAD})},
		{"Encounter", id("0190a1b2-0000-7000-8000-000000000021"), encounter(domain.Stay{ID: id("0190a1b2-0000-7000-8000-000000000021"), UsagerID: jeanne,
			EstablishmentID: ssiad, Status: domain.StayDischarged, Mode: domain.ModeDomicile, AdmissionDate: time.Date(2022, 5, 2, 0, 0, 0, 0, time.UTC),
			DischargeDate: time.Date(2024, 1, 9, 0, 0, 0, 0, time.UTC), DischargeReason: "Transfert vers un autre établissement"}, domain.CatSSIAD)},
		{"Encounter", id("0190a1b2-0000-7000-8000-000000000020"), encounter(domain.Stay{ID: id("0190a1b2-0000-7000-8000-000000000020"), UsagerID: jeanne,
			EstablishmentID: ehpad, Status: domain.StayAdmitted, Mode: domain.ModePermanent, AdmissionDate: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)}, domain.CatEHPAD)},
		{"CarePlan", plan.ID, carePlan(plan, domain.CatEHPAD)},
		{"Goal", goalID, goal(plan, plan.Goals[0])},
		{"RelatedPerson", id("0190a1b2-0000-7000-8000-000000000030"), relatedPerson(domain.Contact{ID: id("0190a1b2-0000-7000-8000-000000000030"),
			UsagerID: jeanne, LastName: "Martin", FirstName: "Luc", Relationship: "Fils", Roles: []domain.ContactRole{domain.ContactPersonneConfiance},
			Phone: "06 00 00 00 00"})},
		{"AllergyIntolerance", id("0190a1b2-0000-7000-8000-000000000040"), allergy(domain.MedicalItem{ID: id("0190a1b2-0000-7000-8000-000000000040"),
			UsagerID: jeanne, Kind: domain.MedicalAllergy, Label: "Pénicillines", Reaction: "œdème de Quincke", Criticality: domain.CriticalityHigh,
			Status: domain.MedicalActive, AuthorName: "Dr Anne Lemoine", RecordedAt: at})},
	}
	b, err := tdduiBundle(items, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), nil)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "tddui-bundle", b)
}
