package frontend_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

func (w *world) prescriptionID(drug string) uuid.UUID {
	w.t.Helper()
	var id uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM prescriptions WHERE drug = ?", drug).Row().Scan(&id)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func rxForm(estab uuid.UUID, today string) url.Values {
	return url.Values{"establishment_id": {estab.String()}, "drug": {"Lévothyroxine 50 µg, comprimé"}, "code_system": {"CIP13"},
		"code": {"3400930000014"}, "unit": {"comprimé"}, "route": {"per_os"}, "kind": {"fixe"}, "intake_time_1": {"00:00"},
		"intake_qty_1": {"1"}, "start": {today}, "prescriber": {"Dr Anne Lemoine"}, "rpps": {"10003012340"}, "order_date": {today},
		"notes": {"À jeun, 30 minutes avant le petit déjeuner"}}
}

// A nurse prescribes (a wrong RPPS key is refused beside the field, nothing
// stored); an aide-soignant may not prescribe but records the planned
// intake (once: a second record is a conflict) and "si besoin" doses until
// the maximum, refused then with a French message and nothing stored; the
// nurse stops the line with a reason; an educator sees none of it. Every
// read and write is traced.
func TestMedicationPrescribeAdministerAndRights(t *testing.T) {
	w := newWorld(t)
	now := time.Now().In(domain.Paris())
	today := now.Format("2006-01-02")
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.Paris()).UTC().Format(time.RFC3339)
	base := "/usagers/" + w.resident.String() + "/traitements"
	nurse := w.login("u.infirmier")
	if code, body := nurse.get(base); code != http.StatusOK || !strings.Contains(body, "Nouvelle prescription") {
		t.Fatalf("nurse opens the treatments: %d", code)
	}

	bad := rxForm(w.ehpad, today)
	bad.Set("rpps", "10003012341")
	code, body := nurse.post(base+"/prescriptions/nouvelle", bad)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="rpps-error"`) || !strings.Contains(body, "clé de contrôle") {
		t.Fatalf("wrong RPPS key: %d", code)
	}
	if n := w.count("prescriptions"); n != 0 {
		t.Fatalf("%d prescriptions stored from a refused form", n)
	}
	if code, body := nurse.post(base+"/prescriptions/nouvelle", rxForm(w.ehpad, today)); code != http.StatusSeeOther {
		t.Fatalf("nurse prescribes: %d %s", code, body)
	}
	prn := url.Values{"establishment_id": {w.ehpad.String()}, "drug": {"Paracétamol 500 mg, gélule"}, "unit": {"gélule"}, "route": {"per_os"},
		"kind": {"si_besoin"}, "condition": {"Douleur EVA ≥ 4"}, "dose": {"2"}, "max_per_24h": {"2"}, "start": {today},
		"prescriber": {"Dr Anne Lemoine"}, "rpps": {"10003012340"}, "order_date": {today}}
	if code, body := nurse.post(base+"/prescriptions/nouvelle", prn); code != http.StatusSeeOther {
		t.Fatalf("nurse prescribes si besoin: %d %s", code, body)
	}
	levo, para := w.prescriptionID("Lévothyroxine 50 µg, comprimé"), w.prescriptionID("Paracétamol 500 mg, gélule")

	as := w.login("u.aide_soignant")
	if code, _ := as.get(base + "/prescriptions/nouvelle"); code != http.StatusForbidden {
		t.Errorf("aide-soignant opens the prescription form: %d", code)
	}
	if code, _ := as.post(base+"/prescriptions/nouvelle", rxForm(w.ehpad, today)); code != http.StatusForbidden {
		t.Errorf("aide-soignant prescribes: %d", code)
	}
	if code, _ := as.post(base+"/"+levo.String()+"/arret", url.Values{"stop_reason": {"x"}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant stops a line: %d", code)
	}
	if n := w.count("prescriptions"); n != 2 {
		t.Fatalf("%d prescriptions, want the nurse's 2", n)
	}
	intake := url.Values{"planned_at": {midnight}, "status": {"given"}}
	if code, body := as.post(base+"/"+levo.String()+"/administrations", intake); code != http.StatusSeeOther {
		t.Fatalf("aide-soignant records the planned intake: %d %s", code, body)
	}
	if code, _ := as.post(base+"/"+levo.String()+"/administrations", url.Values{"planned_at": {midnight}, "status": {"refused"}}); code != http.StatusConflict {
		t.Errorf("second record of the same intake: %d, want 409", code)
	}
	if code, body := as.get(base); code != http.StatusOK || !strings.Contains(body, "Donné à") || !strings.Contains(body, "Aide-soignant Test") {
		t.Errorf("the register shows the record: %d", code)
	}

	dose := url.Values{"dose": {"2"}, "decided_by": {"IDE de garde"}, "why": {"Douleur du genou à la mobilisation"}, "observation": {"EVA 6 au lever"}}
	missing := url.Values{"dose": {"2"}, "decided_by": {"IDE de garde"}, "why": {"Douleur"}}
	if code, body := as.post(base+"/"+para.String()+"/administrations", missing); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="observation-error"`) {
		t.Errorf("si besoin without observation: %d", code)
	}
	for i := 0; i < 2; i++ {
		if code, body := as.post(base+"/"+para.String()+"/administrations", dose); code != http.StatusSeeOther {
			t.Fatalf("si besoin dose %d: %d %s", i+1, code, body)
		}
	}
	code, body = as.post(base+"/"+para.String()+"/administrations", dose)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "maximum de 2 prises sur 24 heures glissantes serait dépassé") ||
		!strings.Contains(body, `id="dose-error"`) {
		t.Fatalf("third si besoin dose: %d, want 422 with the maximum", code)
	}
	if n := w.count("medication_administrations WHERE planned_at IS NULL"); n != 2 {
		t.Errorf("%d si besoin doses stored, want 2", n)
	}
	if n := w.count("access_trail WHERE action = 'write' AND detail LIKE 'administration%'"); n != 3 {
		t.Errorf("%d administrations traced, want 3", n)
	}

	// The round shows the resident, the intake as given and the si besoin line.
	code, body = as.get("/distribution?" + url.Values{"etablissement": {w.ehpad.String()}, "jour": {today}, "moment": {"matin"}}.Encode())
	if code != http.StatusOK || !strings.Contains(body, "Lévothyroxine 50 µg") || !strings.Contains(body, "Si besoin : Paracétamol") ||
		!strings.Contains(body, "encore autorisé : 0") {
		t.Errorf("distribution: %d", code)
	}
	if n := w.count("access_trail WHERE detail LIKE 'lecture de la distribution%'"); n != 1 {
		t.Errorf("%d round reads traced, want 1 (one person shown)", n)
	}

	// Stop: the reason is required.
	code, body = nurse.post(base+"/"+levo.String()+"/arret", url.Values{"stop_reason": {" "}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="stop_reason_`+levo.String()+`-error"`) {
		t.Errorf("stop without reason: %d", code)
	}
	if code, _ := nurse.post(base+"/"+levo.String()+"/arret", url.Values{"stop_reason": {"Changement de posologie"}}); code != http.StatusSeeOther {
		t.Errorf("nurse stops: %d", code)
	}
	if n := w.count("prescriptions WHERE stopped_at IS NOT NULL AND stop_reason = 'Changement de posologie'"); n != 1 {
		t.Error("stop not stored")
	}
	if code, body := nurse.get(base); code != http.StatusOK || !strings.Contains(body, "Arrêté le") {
		t.Errorf("stopped line shown: %d", code)
	}

	// An educator (no care right) neither reads nor records.
	educ := w.login("u.educateur")
	if code, _ := educ.get(base); code != http.StatusForbidden {
		t.Errorf("educator reads the treatments: %d", code)
	}
	if code, _ := educ.post(base+"/"+para.String()+"/administrations", dose); code != http.StatusForbidden {
		t.Errorf("educator records a dose: %d", code)
	}
	if code, _ := educ.get("/distribution"); code != http.StatusForbidden {
		t.Errorf("educator opens the round: %d", code)
	}
	if n := w.count("medication_administrations"); n != 3 {
		t.Errorf("%d records after the educator's attempts, want 3", n)
	}
}

// A planned intake is corrected explicitly with a reason; a line of another
// usager is not reachable through this one's URL; the form refuses a
// correction without reason.
func TestMedicationCorrectionAndIsolation(t *testing.T) {
	w := newWorld(t)
	now := time.Now().In(domain.Paris())
	today := now.Format("2006-01-02")
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.Paris()).UTC().Format(time.RFC3339)
	base := "/usagers/" + w.resident.String() + "/traitements"
	nurse := w.login("u.infirmier")
	if code, body := nurse.post(base+"/prescriptions/nouvelle", rxForm(w.ehpad, today)); code != http.StatusSeeOther {
		t.Fatalf("prescribe: %d %s", code, body)
	}
	levo := w.prescriptionID("Lévothyroxine 50 µg, comprimé")
	if code, _ := nurse.post(base+"/"+levo.String()+"/administrations", url.Values{"planned_at": {midnight}, "status": {"given"}}); code != http.StatusSeeOther {
		t.Fatalf("record: %d", code)
	}
	var first uuid.UUID
	if err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM medication_administrations").Row().Scan(&first)
	}); err != nil {
		t.Fatal(err)
	}
	form := base + "/" + levo.String() + "/administrations/nouvelle?" + url.Values{"prevue": {midnight}}.Encode()
	if code, body := nurse.get(form); code != http.StatusOK || !strings.Contains(body, "Corriger la prise") || !strings.Contains(body, first.String()) {
		t.Fatalf("correction form: %d", code)
	}
	corr := url.Values{"planned_at": {midnight}, "status": {"missed"}, "reason": {"vomissements"}, "corrects": {first.String()}}
	if code, body := nurse.post(base+"/"+levo.String()+"/administrations", corr); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="correction_reason-error"`) {
		t.Errorf("correction without reason: %d", code)
	}
	corr.Set("correction_reason", "Vomissements juste après la prise, médecin prévenu")
	if code, _ := nurse.post(base+"/"+levo.String()+"/administrations", corr); code != http.StatusSeeOther {
		t.Fatalf("correction: %d", code)
	}
	if w.count("medication_administrations WHERE superseded") != 1 || w.count("medication_administrations WHERE NOT superseded AND status = 'missed'") != 1 {
		t.Error("correction not stored as superseding the first record")
	}
	// The line is not found through another usager's URL.
	other := "/usagers/" + w.insiOne.String() + "/traitements/" + levo.String()
	if code, _ := nurse.post(other+"/administrations", url.Values{"planned_at": {midnight}, "status": {"given"}}); code != http.StatusNotFound {
		t.Errorf("line through another usager: %d", code)
	}
	if code, _ := nurse.post(base+"/"+levo.String()+"/administrations", url.Values{"planned_at": {"2000-01-01T00:00:00Z"}, "status": {"given"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("an intake that is not planned: %d", code)
	}
}
