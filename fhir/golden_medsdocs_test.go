package fhir

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// TestGoldenMedsDocs pins the JSON of the medication and document
// resources, for fixed records shaped like the demo's.
func TestGoldenMedsDocs(t *testing.T) {
	id := func(s string) uuid.UUID { return uuid.MustParse(s) }
	ehpad := id("0190a1b2-0000-7000-8000-000000000002")
	jeanne := id("0190a1b2-0000-7000-8000-000000000010")
	nurse := id("0190a1b2-0000-7000-8000-000000000090")
	at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

	sched := domain.Prescription{ID: id("0190a1b2-0000-7000-8000-000000000100"), UsagerID: jeanne, EstablishmentID: ehpad,
		Drug: "Furosémide 40 mg, comprimé", Code: "3400930000014", CodeSystem: domain.CodeCIP13, Unit: "comprimé", Route: domain.RouteOral,
		Intakes: []domain.Intake{{Minute: 8 * 60, Quantity: 1}, {Minute: 18 * 60, Quantity: 0.5}}, Weekdays: []time.Weekday{time.Monday, time.Thursday},
		Start: day(3, 1), End: day(6, 30), Prescriber: "Dr Anne Lemoine", RPPS: "10003012340", OrderDate: day(2, 27), Notes: "Peser le lundi",
		CreatedAt: at, CreatedBy: nurse, CreatedName: "Karima Benali"}
	golden(t, "medicationrequest", medicationRequest(sched, at))
	prn := domain.Prescription{ID: id("0190a1b2-0000-7000-8000-000000000101"), UsagerID: jeanne, EstablishmentID: ehpad,
		Drug: "Paracétamol 1 g", Unit: "comprimé", Route: domain.RouteOral, AsNeeded: true, Condition: "Douleur EVA ≥ 4", Dose: 1, MaxPer24h: 3,
		MinInterval: 6 * time.Hour, Start: day(3, 1), Prescriber: "Dr Anne Lemoine", RPPS: "10003012340", OrderDate: day(3, 1),
		CreatedAt: at, CreatedBy: nurse, CreatedName: "Karima Benali"}
	golden(t, "medicationrequest-si-besoin", medicationRequest(prn, at))
	stopped := sched
	stopped.ID, stopped.StoppedAt, stopped.StopReason, stopped.StoppedBy, stopped.StoppedName = id("0190a1b2-0000-7000-8000-000000000102"),
		at, "Changement de posologie", nurse, "Dr Anne Lemoine"
	golden(t, "medicationrequest-stopped", medicationRequest(stopped, at))

	given := domain.Administration{ID: id("0190a1b2-0000-7000-8000-000000000110"), PrescriptionID: sched.ID, UsagerID: jeanne, EstablishmentID: ehpad,
		PlannedAt: time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), At: time.Date(2026, 3, 2, 7, 12, 0, 0, time.UTC), Status: domain.AdminGiven, Dose: 1,
		RecordedAt: at, ByID: nurse, ByName: "Karima Benali"}
	golden(t, "medicationadministration-given", medicationAdministration(given, sched))
	refused := given
	refused.ID, refused.Status, refused.Dose, refused.Corrects, refused.CorrectionReason = id("0190a1b2-0000-7000-8000-000000000111"),
		domain.AdminRefused, 0, given.ID, "Erreur de saisie : la résidente a refusé"
	golden(t, "medicationadministration-refused", medicationAdministration(refused, sched))
	missed := given
	missed.ID, missed.Status, missed.Dose, missed.Reason, missed.ReasonText, missed.Superseded = id("0190a1b2-0000-7000-8000-000000000112"),
		domain.AdminMissed, 0, "autre", "Partie en consultation", true
	golden(t, "medicationadministration-missed-superseded", medicationAdministration(missed, sched))
	asNeeded := domain.Administration{ID: id("0190a1b2-0000-7000-8000-000000000113"), PrescriptionID: prn.ID, UsagerID: jeanne, EstablishmentID: ehpad,
		At: time.Date(2026, 3, 2, 13, 10, 0, 0, time.UTC), Status: domain.AdminGiven, Dose: 1, DecidedBy: "IDE Karima Benali",
		Why: "Douleur du genou droit", Observation: "EVA 6 à 14 h 10", RecordedAt: at, ByID: nurse, ByName: "Karima Benali"}
	golden(t, "medicationadministration-si-besoin", medicationAdministration(asNeeded, prn))

	doc, err := domain.ParseDocument(domain.DocumentInput{Section: domain.SectionMedical, Kind: "compte_rendu", Title: "Compte rendu d'hospitalisation",
		Confidentiality: "restreint", Content: []byte("%PDF-1.4\n% Relais\n%%EOF\n")})
	if err != nil {
		t.Fatal(err)
	}
	doc.ID, doc.UsagerID, doc.UploadedBy, doc.UploadedByName, doc.UploadedAt = id("0190a1b2-0000-7000-8000-000000000120"), jeanne, nurse, "Dr Anne Lemoine", at
	golden(t, "documentreference", documentReference(doc))
	golden(t, "binary", binary(doc))
}
