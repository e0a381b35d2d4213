package fhir_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// prescribe stores a line for usager in estab, starting two days ago.
func (a *api) prescribe(usager, estab uuid.UUID, p domain.Prescription) domain.Prescription {
	a.t.Helper()
	p.UsagerID, p.EstablishmentID = usager, estab
	p.Unit, p.Route = "comprimé", domain.RouteOral
	p.Start = domain.ParisDay(time.Now()).AddDate(0, 0, -2)
	p.Prescriber, p.RPPS, p.OrderDate, p.CreatedAt, p.CreatedBy, p.CreatedName = "Dr Lemoine", "10003012340", p.Start, time.Now(), uuid.New(), "IDE Test"
	if err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error { return tx.SavePrescription(&p) }); err != nil {
		a.t.Fatal(err)
	}
	return p
}

func (a *api) administer(ad domain.Administration) domain.Administration {
	a.t.Helper()
	ad.RecordedAt, ad.ByID, ad.ByName = time.Now(), uuid.New(), "IDE Test"
	if err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error { return tx.RecordAdministration(&ad) }); err != nil {
		a.t.Fatal(err)
	}
	return ad
}

// Prescriptions and the register: read and searched by person, status and
// time; governed by the care section as in the UI; invisible outside the
// client's establishment; every read in the trail.
func TestMedicationResources(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/*.read")
	a.client("soignant", domain.RoleAideSoignant, "system/*.read")
	a.client("educ", domain.RoleEducateur, "system/*.read")
	a.client("patients-only", domain.RoleMedecin, "system/Patient.read")
	tok := a.bearer("hopital")

	sched := a.prescribe(a.inA, a.estA, domain.Prescription{Drug: "Furosémide 40 mg", Intakes: []domain.Intake{{Minute: 8 * 60, Quantity: 1}}})
	prn := a.prescribe(a.inA, a.estA, domain.Prescription{Drug: "Paracétamol 1 g", AsNeeded: true, Condition: "Douleur", Dose: 1, MaxPer24h: 3})
	other := a.prescribe(a.inB, a.estB, domain.Prescription{Drug: "Doliprane", Intakes: []domain.Intake{{Minute: 9 * 60, Quantity: 1}}})
	// The resident of A is also followed by B (its SSIAD): B's line is not
	// A's client's to see, as the UI shows the lines of one's own
	// establishments.
	err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
		return tx.SaveStay(&domain.Stay{UsagerID: a.inA, EstablishmentID: a.estB, Status: domain.StayAdmitted, Mode: domain.ModePermanent,
			AdmissionDate: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)})
	})
	if err != nil {
		t.Fatal(err)
	}
	byB := a.prescribe(a.inA, a.estB, domain.Prescription{Drug: "Kardégic 75 mg", Intakes: []domain.Intake{{Minute: 12 * 60, Quantity: 1}}})
	byBGiven := a.administer(domain.Administration{PrescriptionID: byB.ID, PlannedAt: time.Date(domain.ParisDay(time.Now()).Year(), domain.ParisDay(time.Now()).Month(),
		domain.ParisDay(time.Now()).Day()-1, 12, 0, 0, 0, domain.Paris()).UTC(), At: time.Now().Add(-20 * time.Hour), Status: domain.AdminGiven, Dose: 1})
	err = a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
		return tx.StopPrescription(sched.ID, time.Now(), "Changement de posologie", uuid.New(), "Dr Lemoine")
	})
	if err != nil {
		t.Fatal(err)
	}
	day := domain.ParisDay(time.Now())
	at8 := func(d time.Time) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, domain.Paris()).UTC()
	}
	at9 := func(d time.Time) time.Time { return at8(d).Add(time.Hour) }
	dayBefore, yesterday := at8(day.AddDate(0, 0, -2)), at8(day.AddDate(0, 0, -1))
	refused := a.administer(domain.Administration{PrescriptionID: sched.ID, PlannedAt: dayBefore, At: dayBefore, Status: domain.AdminRefused})
	given := a.administer(domain.Administration{PrescriptionID: sched.ID, PlannedAt: yesterday, At: yesterday.Add(10 * time.Minute), Status: domain.AdminGiven, Dose: 1})
	a.administer(domain.Administration{PrescriptionID: prn.ID, At: time.Now().Add(-time.Hour), Status: domain.AdminGiven, Dose: 1,
		DecidedBy: "IDE", Why: "Douleur", Observation: "EVA 6"})
	// A correction supersedes the refused record: only the correction is listed.
	corrected := a.administer(domain.Administration{PrescriptionID: sched.ID, PlannedAt: dayBefore, At: dayBefore.Add(5 * time.Minute),
		Status: domain.AdminGiven, Dose: 1, Corrects: refused.ID, CorrectionReason: "Erreur de ligne"})

	ofB := a.administer(domain.Administration{PrescriptionID: other.ID, PlannedAt: at9(day.AddDate(0, 0, -1)), At: at9(day.AddDate(0, 0, -1)), Status: domain.AdminGiven, Dose: 1})

	p := "?patient=" + a.inA.String()
	ge := url.QueryEscape("ge" + yesterday.Format(time.RFC3339))
	total := func(n int) func(map[string]any) bool {
		return func(b map[string]any) bool { return b["total"].(float64) == float64(n) }
	}
	for _, tc := range []struct {
		name, token, path string
		code              int
		check             func(map[string]any) bool
		param             string
	}{
		{"prescription", tok, "/fhir/MedicationRequest/" + prn.ID.String(), 200, func(r map[string]any) bool {
			d := r["dosageInstruction"].([]any)[0].(map[string]any)
			return r["status"] == "active" && d["asNeededCodeableConcept"].(map[string]any)["text"] == "Douleur" &&
				d["maxDosePerPeriod"].(map[string]any)["numerator"].(map[string]any)["value"].(float64) == 3
		}, ""},
		{"stopped prescription", tok, "/fhir/MedicationRequest/" + sched.ID.String(), 200, func(r map[string]any) bool {
			return r["status"] == "stopped" && r["statusReason"].(map[string]any)["text"] == "Changement de posologie"
		}, ""},
		{"line of B for a resident of A", tok, "/fhir/MedicationRequest/" + byB.ID.String(), 404, nil, ""},
		{"record of B for a resident of A", tok, "/fhir/MedicationAdministration/" + byBGiven.ID.String(), 404, nil, ""},
		{"prescription of B", tok, "/fhir/MedicationRequest/" + other.ID.String(), 404, nil, ""},
		{"prescriptions of a person", tok, "/fhir/MedicationRequest" + p, 200, total(2), ""},
		{"stopped prescriptions", tok, "/fhir/MedicationRequest" + p + "&status=stopped", 200, total(1), ""},
		{"active or stopped", tok, "/fhir/MedicationRequest" + p + "&status=active,stopped", 200, total(2), ""},
		{"completed", tok, "/fhir/MedicationRequest" + p + "&status=completed", 200, total(0), ""},
		{"prescriptions of a person of B", tok, "/fhir/MedicationRequest?patient=" + a.inB.String(), 200, total(0), ""},
		{"bad status", tok, "/fhir/MedicationRequest" + p + "&status=arretee", 400, nil, "status"},
		{"undeclared parameter", tok, "/fhir/MedicationRequest" + p + "&code=123", 400, nil, "code"},
		{"no patient", tok, "/fhir/MedicationRequest?status=active", 400, nil, "patient"},
		{"bad patient", tok, "/fhir/MedicationRequest?patient=Patient/x", 400, nil, "patient"},
		{"aide-soignant reads the prescriptions (care section, as on the round)", a.bearer("soignant"), "/fhir/MedicationRequest/" + prn.ID.String(), 200, nil, ""},
		{"educator (neither care nor medical)", a.bearer("educ"), "/fhir/MedicationRequest/" + prn.ID.String(), 403, nil, ""},
		{"educator on the register", a.bearer("educ"), "/fhir/MedicationAdministration" + p, 403, nil, ""},
		{"scope without MedicationRequest", a.bearer("patients-only"), "/fhir/MedicationRequest" + p, 403, nil, ""},
		{"administration given", tok, "/fhir/MedicationAdministration/" + given.ID.String(), 200, func(r map[string]any) bool {
			return r["status"] == "completed" && r["request"].(map[string]any)["reference"] == "MedicationRequest/"+sched.ID.String() &&
				r["dosage"].(map[string]any)["dose"].(map[string]any)["value"].(float64) == 1
		}, ""},
		{"superseded record", tok, "/fhir/MedicationAdministration/" + refused.ID.String(), 200, func(r map[string]any) bool {
			return r["status"] == "entered-in-error"
		}, ""},
		{"correction", tok, "/fhir/MedicationAdministration/" + corrected.ID.String(), 200, func(r map[string]any) bool {
			return r["status"] == "completed" && len(r["note"].([]any)) == 1
		}, ""},
		{"administration of B", tok, "/fhir/MedicationAdministration/" + ofB.ID.String(), 404, nil, ""},
		{"register of a person of B", tok, "/fhir/MedicationAdministration?patient=" + a.inB.String(), 200, total(0), ""},
		{"register of a person", tok, "/fhir/MedicationAdministration" + p, 200, total(3), ""},
		{"given", tok, "/fhir/MedicationAdministration" + p + "&status=completed", 200, total(3), ""},
		{"not done", tok, "/fhir/MedicationAdministration" + p + "&status=not-done", 200, total(0), ""},
		{"since yesterday 8:00", tok, "/fhir/MedicationAdministration" + p + "&effective-time=" + ge, 200, total(2), ""},
		{"before yesterday", tok, "/fhir/MedicationAdministration" + p + "&effective-time=lt" + day.AddDate(0, 0, -1).Format("2006-01-02"), 200, total(1), ""},
		{"window", tok, "/fhir/MedicationAdministration" + p + "&effective-time=" + ge + "&effective-time=le" + day.AddDate(0, 0, -1).Format("2006-01-02"), 200, total(1), ""},
		{"bad date", tok, "/fhir/MedicationAdministration" + p + "&effective-time=hier", 400, nil, "effective-time"},
		{"bad administration status", tok, "/fhir/MedicationAdministration" + p + "&status=given", 400, nil, "status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := a.get(tc.token, tc.path)
			if code != tc.code {
				t.Fatalf("%d %v", code, out)
			}
			if code >= 400 {
				if _, expr := diagnostics(t, out); expr != tc.param {
					t.Fatalf("expression %q, want %q", expr, tc.param)
				}
			} else if tc.check != nil && !tc.check(out) {
				t.Fatalf("unexpected resource %v", out)
			}
		})
	}
	if n := a.count(`SELECT count(*) FROM access_trail WHERE username = 'client:hopital' AND section = 'care' AND action = 'read' AND usager_id = ?`, a.inA); n != 15 {
		t.Errorf("care reads traced: %d, want 15", n)
	}
}
