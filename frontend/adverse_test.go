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

func (w *world) lastAdverse() uuid.UUID {
	w.t.Helper()
	var id uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM adverse_events ORDER BY declared_at DESC, id LIMIT 1").Row().Scan(&id)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// The declaration: refused beside the field without a description and
// nothing stored; an aide-soignant declares about a resident but may not move
// it on; a nurse (care validate) analyses and closes it; every step traced.
func TestAdverseDeclarationAndRights(t *testing.T) {
	w := newWorld(t)
	form := url.Values{"establishment_id": {w.ehpad.String()}, "usager_id": {w.resident.String()}, "occurred_at": {"2026-11-20T07:45"},
		"place": {"chambre 12"}, "description": {""}, "category": {"chute"}, "severity": {"2"}, "measures": {"Relevée, IDE prévenue"}}
	as := w.login("u.aide_soignant")
	code, body := as.post("/evenements-indesirables", form)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="description-error"`) || !strings.Contains(body, "Décrivez ce qui s&#39;est passé") {
		t.Fatalf("declaration without description: %d", code)
	}
	if n := w.count("adverse_events"); n != 0 {
		t.Fatalf("%d FEI stored from a refused form", n)
	}
	form.Set("description", "Chute en se levant la nuit, sans témoin")
	if code, _ := as.post("/evenements-indesirables", form); code != http.StatusSeeOther {
		t.Fatalf("aide-soignant declares: %d", code)
	}
	id := w.lastAdverse()
	page := "/evenements-indesirables/" + id.String()
	if code, body := as.get(page); code != http.StatusOK || !strings.Contains(body, "sans témoin") || strings.Contains(body, "/statut") {
		t.Fatalf("aide-soignant reads the FEI: %d (and must see no status move)", code)
	}
	if code, _ := as.post(page+"/statut", url.Values{"status": {"EN_ANALYSE"}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant moves the FEI to analysis: %d", code)
	}
	if code, _ := as.post(page+"/suivi", url.Values{"causes": {"x"}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant writes the analysis: %d", code)
	}
	nurse := w.login("u.infirmier")
	if code, _ := nurse.post(page+"/statut", url.Values{"status": {"CLOTUREE"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("declared → closed: %d", code)
	}
	// The director (care read, admin validate) may move it on.
	if code, _ := w.login("u.directeur").post(page+"/statut", url.Values{"status": {"EN_ANALYSE"}}); code != http.StatusSeeOther {
		t.Fatalf("director moves the FEI to analysis: %d", code)
	}
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/suivi", url.Values{"causes": {"Éclairage nocturne insuffisant"}}},
		{"/actions", url.Values{"action_title": {"Veilleuses dans les chambres"}, "action_owner": {"Services techniques"}, "action_due": {"2026-12-15"}}},
		{"/statut", url.Values{"status": {"ACTIONS"}}},
	} {
		if code, body := nurse.post(page+step.path, step.form); code != http.StatusSeeOther {
			t.Fatalf("nurse %s: %d %s", step.path, code, body)
		}
	}
	// The aide-soignant may not close, the nurse may.
	if code, _ := as.post(page+"/statut", url.Values{"status": {"CLOTUREE"}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant closes: %d", code)
	}
	if code, _ := nurse.post(page+"/statut", url.Values{"status": {"CLOTUREE"}}); code != http.StatusSeeOther {
		t.Errorf("nurse closes: %d", code)
	}
	if w.count("adverse_events WHERE status = 'CLOTUREE' AND closed_at IS NOT NULL") != 1 || w.count("adverse_actions") != 1 {
		t.Error("closure or action not stored")
	}
	if n := w.count("access_trail WHERE detail LIKE '%événement indésirable%' AND action IN ('write','validate')"); n < 4 {
		t.Errorf("FEI writes traced: %d", n)
	}
	// An educator (no care read) neither lists nor opens it.
	educ := w.login("u.educateur")
	if _, body := educ.get("/evenements-indesirables"); strings.Contains(body, page) {
		t.Error("an educator lists a FEI about a resident")
	}
	if code, _ := educ.get(page); code != http.StatusForbidden {
		t.Errorf("an educator opens a FEI about a resident: %d", code)
	}
}

// A serious FEI shows its ARS deadlines (part 2 three months after part 1)
// on its page, in the list and, when late, on the home card.
func TestAdverseSeriousShowsARSDeadlines(t *testing.T) {
	w := newWorld(t)
	nurse := w.login("u.infirmier")
	if code, _ := nurse.post("/evenements-indesirables", url.Values{"establishment_id": {w.ehpad.String()}, "occurred_at": {"2026-11-20T07:45"},
		"description": {"Erreur d'administration d'un anticoagulant"}, "category": {"erreur_medicamenteuse"}, "severity": {"2"},
		"life_threatening": {"1"}, "usager_id": {w.resident.String()}}); code != http.StatusSeeOther {
		t.Fatalf("serious declaration: %d", code)
	}
	page := "/evenements-indesirables/" + w.lastAdverse().String()
	f := domain.AdverseEvent{Severity: 2, LifeThreatening: true, DeclaredAt: time.Now()}
	_, body := nurse.get(page)
	if !strings.Contains(body, "Grave (EIGS)") || !strings.Contains(body, "à transmettre avant le "+domain.FrenchDate(f.ARSPart2Due())) {
		t.Fatalf("serious FEI page misses the part 2 due date %s", domain.FrenchDate(f.ARSPart2Due()))
	}
	if code, _ := nurse.post(page+"/suivi", url.Values{"causes": {""}, "ars_part1": {"2026-11-21"}}); code != http.StatusSeeOther {
		t.Fatalf("ARS part 1: %d", code)
	}
	_, body = nurse.get(page)
	if !strings.Contains(body, "déclarée le 21/11/2026") || !strings.Contains(body, "à transmettre avant le 21/02/2027") {
		t.Errorf("part 2 due 3 months after part 1 not shown")
	}
	if _, list := nurse.get("/evenements-indesirables"); !strings.Contains(list, "partie 2 avant le 21/02/2027") {
		t.Errorf("the list misses the part 2 deadline")
	}
	// A serious FEI whose part 1 is overdue shows on the home card.
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Exec("UPDATE adverse_events SET ars_part1 = NULL, declared_at = now() - interval '3 days'").Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, home := nurse.get("/"); !strings.Contains(home, "Événements indésirables ouverts") || !strings.Contains(home, "partie 1) en retard") {
		t.Errorf("home card misses the late ARS declaration")
	}
}

// Another organisation's FEI, or one of an establishment the user is not a
// member of, is not found; a FEI is drafted from a timeline event.
func TestAdverseIsolationAndDraftFromEvent(t *testing.T) {
	w := newWorld(t)
	foreign := w.foreignEstab()
	var foreignID uuid.UUID
	err := w.db.InTenant(context.Background(), w.foreignOrg, func(tx *store.Tx) error {
		f := domain.AdverseEvent{EstablishmentID: foreign, OccurredAt: time.Now(), Description: "ailleurs", Category: domain.AdverseOther,
			Severity: 1, Status: domain.AdverseDeclared, DeclaredAt: time.Now(), AuthorID: store.NewID(), AuthorName: "X"}
		err := tx.SaveAdverseEvent(&f)
		foreignID = f.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var ssiadID uuid.UUID
	err = w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		f := domain.AdverseEvent{EstablishmentID: w.ssiad, OccurredAt: time.Now(), Description: "au SSIAD", Category: domain.AdverseOther,
			Severity: 1, Status: domain.AdverseDeclared, DeclaredAt: time.Now(), AuthorID: store.NewID(), AuthorName: "X"}
		err := tx.SaveAdverseEvent(&f)
		ssiadID = f.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	director := w.login("u.directeur")
	for _, id := range []uuid.UUID{foreignID, ssiadID} {
		if code, _ := director.get("/evenements-indesirables/" + id.String()); code != http.StatusNotFound {
			t.Errorf("FEI %s elsewhere: %d", id, code)
		}
		if code, _ := director.post("/evenements-indesirables/"+id.String()+"/statut", url.Values{"status": {"EN_ANALYSE"}}); code != http.StatusNotFound {
			t.Errorf("FEI %s elsewhere moved: %d", id, code)
		}
	}
	if _, list := director.get("/evenements-indesirables"); strings.Contains(list, "au SSIAD") || strings.Contains(list, "ailleurs") {
		t.Error("the list shows FEI of other establishments")
	}
	// Drafted from a fall of the timeline.
	nurse := w.login("u.infirmier")
	rec := "/usagers/" + w.resident.String()
	if code, _ := nurse.post(rec+"/evenements", url.Values{"section": {"care"}, "type": {"chute"}, "title": {"Chute au réfectoire"},
		"start": {"2026-11-20T12:10"}, "status": {"TERMINE"}, "place": {"réfectoire"}}); code != http.StatusSeeOther {
		t.Fatalf("event: %d", code)
	}
	var eventID uuid.UUID
	err = w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM events LIMIT 1").Row().Scan(&eventID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, tl := nurse.get(rec + "/chronologie"); !strings.Contains(tl, "/evenements-indesirables/nouveau?evenement="+eventID.String()) {
		t.Error("the timeline event has no declaration link")
	}
	code, body := nurse.get("/evenements-indesirables/nouveau?evenement=" + eventID.String())
	if code != http.StatusOK || !strings.Contains(body, "Chute au réfectoire") || !strings.Contains(body, `value="2026-11-20T12:10"`) ||
		!strings.Contains(body, `<option value="chute" selected>`) || !strings.Contains(body, eventID.String()) {
		t.Fatalf("draft from event: %d", code)
	}
	if code, _ := nurse.post("/evenements-indesirables", url.Values{"establishment_id": {w.ehpad.String()}, "usager_id": {w.resident.String()},
		"from_event_id": {eventID.String()}, "occurred_at": {"2026-11-20T12:10"}, "description": {"Chute au réfectoire"}, "category": {"chute"},
		"severity": {"3"}}); code != http.StatusSeeOther {
		t.Fatalf("declaration from event: %d", code)
	}
	if w.count("adverse_events WHERE from_event_id IS NOT NULL") != 1 {
		t.Error("the origin event is not kept")
	}
	// The foreign organisation's usager cannot be attached.
	if code, _ := nurse.post("/evenements-indesirables", url.Values{"establishment_id": {w.ehpad.String()}, "usager_id": {w.foreign.String()},
		"occurred_at": {"2026-11-20T12:10"}, "description": {"x"}, "category": {"chute"}, "severity": {"1"}}); code != http.StatusUnprocessableEntity ||
		w.count("adverse_events") != 2 {
		t.Errorf("a FEI about another organisation's usager: %d", code)
	}
}
