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

// postLocation posts a form and returns the status and the redirect target.
func postLocation(t *testing.T, c *client, path string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(withCSRF(c, form).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// lastTargeted reads the newest targeted note.
func (w *world) lastTargeted() domain.TargetedNote {
	w.t.Helper()
	var n domain.TargetedNote
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		var id uuid.UUID
		if err := tx.Gorm().Raw("SELECT id FROM targeted_notes ORDER BY written_at DESC, id DESC LIMIT 1").Row().Scan(&id); err != nil {
			return err
		}
		var err error
		n, err = tx.TargetedNote(id)
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

// An aide-soignant writes a note; a nurse of the next shift adds the result
// and closes the target; the educator (no care right) may do none of it;
// every read and write is traced.
func TestTargetedNotesWriteResultClose(t *testing.T) {
	w := newWorld(t)
	base := "/usagers/" + w.resident.String() + "/transmissions"
	as := w.login("u.aide_soignant")
	code, body := as.get(base + "/nouvelle")
	if code != http.StatusOK || !strings.Contains(body, `id="tc-save"`) || !strings.Contains(body, `name="target_other"`) {
		t.Fatalf("form: %d", code)
	}
	assertUniqueIDs(t, body)
	code, loc := postLocation(t, as, base, url.Values{"target": {"douleur"}, "data": {"Se plaint du genou droit, EVA 6"},
		"actions": {"Paracétamol 1 g selon protocole"}})
	if code != http.StatusSeeOther || loc != base+"?ok=transmission" {
		t.Fatalf("aide-soignant writes: %d → %q", code, loc)
	}
	n := w.lastTargeted()
	if n.AuthorName != domain.RoleAideSoignant.Label()+" Test" || n.EstablishmentID != w.ehpad || !n.Open() || n.Results != "" {
		t.Errorf("stored note: %+v", n)
	}
	code, body = as.get(base)
	if code != http.StatusOK || !strings.Contains(body, "EVA 6") || !strings.Contains(body, "Ouverte") || !strings.Contains(body, `id="result-`+n.ID.String()+`"`) {
		t.Fatalf("list after writing: %d", code)
	}
	assertUniqueIDs(t, body)

	// Closing without a result asks for one; nothing changes.
	nurse := w.login("u.infirmier")
	nurse.get(base)
	code, body = nurse.post(base+"/"+n.ID.String()+"/cloture", url.Values{"result": {""}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="result-`+n.ID.String()+`-error"`) || !strings.Contains(body, "Notez le résultat avant de clore") {
		t.Fatalf("closing without a result: %d", code)
	}
	if w.count("targeted_notes WHERE closed_at IS NOT NULL OR results <> ''") != 0 {
		t.Fatal("a refused closure changed the note")
	}
	if code, _ := nurse.post(base+"/"+n.ID.String()+"/resultat", url.Values{"result": {"EVA 2 une heure après"}}); code != http.StatusSeeOther {
		t.Fatalf("nurse adds the result: %d", code)
	}
	got := w.lastTargeted()
	if got.AuthorID == got.ResultByID || got.ResultByName != domain.RoleInfirmier.Label()+" Test" || got.Results != "EVA 2 une heure après" {
		t.Errorf("result by another professional: author %s (%s), result %s (%s)", got.AuthorName, got.AuthorID, got.ResultByName, got.ResultByID)
	}
	if _, body := nurse.get(base); !strings.Contains(body, "Noté le") || !strings.Contains(body, got.ResultByName) {
		t.Error("the list does not sign the later result")
	}
	if code, _ := nurse.post(base+"/"+n.ID.String()+"/resultat", url.Values{"result": {"autre"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("second result: %d", code)
	}
	if code, _ := as.post(base+"/"+n.ID.String()+"/cloture", nil); code != http.StatusSeeOther {
		t.Fatalf("aide-soignant closes: %d", code)
	}
	if got := w.lastTargeted(); got.Open() || got.ClosedByName != n.AuthorName || got.Results != "EVA 2 une heure après" {
		t.Errorf("closure: %+v", got)
	}
	if _, body := as.get(base); !strings.Contains(body, "Cible close le") || !strings.Contains(body, "Aucune cible ouverte") {
		t.Error("closed target not in the history")
	}
	if n := w.count("access_trail WHERE section = 'care' AND action = 'write' AND detail LIKE '%cibl%'"); n != 3 {
		t.Errorf("writes traced: %d, want 3 (note, result, closure)", n)
	}
	if n := w.count("access_trail WHERE section = 'care' AND action = 'read' AND detail = 'consultation des transmissions ciblées'"); n < 3 {
		t.Errorf("reads traced: %d", n)
	}

	// The educator may not read nor write.
	educ := w.login("u.educateur")
	for _, path := range []string{base, base + "/nouvelle"} {
		if code, _ := educ.get(path); code != http.StatusForbidden {
			t.Errorf("educator GET %s: %d", path, code)
		}
	}
	before := w.count("targeted_notes")
	if code, _ := educ.post(base, url.Values{"target": {"comportement"}, "data": {"Agité"}}); code != http.StatusForbidden {
		t.Errorf("educator writes: %d", code)
	}
	if code, _ := educ.post(base+"/"+n.ID.String()+"/resultat", url.Values{"result": {"x"}}); code != http.StatusForbidden {
		t.Errorf("educator adds a result: %d", code)
	}
	if w.count("targeted_notes") != before {
		t.Error("the educator stored a note")
	}
	// A note of another record is not reachable through this one.
	other := "/usagers/" + w.insiOne.String() + "/transmissions/" + n.ID.String() + "/resultat"
	if code, _ := nurse.post(other, url.Values{"result": {"x"}}); code != http.StatusNotFound {
		t.Errorf("note through another record: %d", code)
	}
}

// Bad input is refused beside the field, in French, and nothing is stored.
func TestTargetedNoteBadInput(t *testing.T) {
	w := newWorld(t)
	base := "/usagers/" + w.resident.String() + "/transmissions"
	as := w.login("u.aide_soignant")
	as.get(base + "/nouvelle")
	tests := []struct {
		name  string
		form  url.Values
		field string
		msg   string
	}{
		{"no target", url.Values{"data": {"Agitée"}}, "target", "Choisissez la cible"},
		{"no data", url.Values{"target": {"chute"}, "actions": {"Relevée"}}, "data", "Les données (ce que vous avez observé) sont obligatoires"},
		{"free target not typed", url.Values{"target": {"autre"}, "data": {"x"}}, "target_other", "Précisez la cible"},
		{"too long", url.Values{"target": {"chute"}, "data": {strings.Repeat("a", domain.TargetTextMax+1)}}, "data", "4 000 caractères"},
	}
	for _, tt := range tests {
		code, body := as.post(base, tt.form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+tt.field+`-error"`) || !strings.Contains(body, htmlEscape(tt.msg)) {
			t.Errorf("%s: %d, want 422 with %q beside %s", tt.name, code, tt.msg, tt.field)
		}
		if tt.name == "no data" && !strings.Contains(body, ">Relevée</textarea>") {
			t.Error("the typed actions are lost")
		}
		assertUniqueIDs(t, body)
	}
	if n := w.count("targeted_notes"); n != 0 {
		t.Errorf("%d notes stored from refused forms", n)
	}
	// A free target is kept in its own words.
	if code, _ := as.post(base, url.Values{"target": {"autre"}, "target_other": {"Appareil auditif"}, "data": {"Perdu au repas"}}); code != http.StatusSeeOther {
		t.Fatalf("free target: %d", code)
	}
	if n := w.lastTargeted(); n.TargetLabel() != "Appareil auditif" {
		t.Errorf("free target stored as %q", n.TargetLabel())
	}
}

func htmlEscape(s string) string { return strings.ReplaceAll(s, "'", "&#39;") }

// ?retour sends back to a local page only: never to another site.
func TestTargetedNoteReturnPath(t *testing.T) {
	w := newWorld(t)
	base := "/usagers/" + w.resident.String() + "/transmissions"
	as := w.login("u.aide_soignant")
	if _, body := as.get(base + "/nouvelle?retour=/soins"); !strings.Contains(body, `name="retour" value="/soins"`) {
		t.Error("the form does not carry a local return path")
	}
	if _, body := as.get(base + "/nouvelle?retour=//evil.example/x"); strings.Contains(body, "evil.example") {
		t.Error("the form carries a foreign return path")
	}
	tests := []struct {
		retour string
		want   string
	}{
		{"/soins", "/soins"},
		{"/usagers/" + w.resident.String() + "?onglet=care", "/usagers/" + w.resident.String() + "?onglet=care"},
		{"//evil.example/x", base + "?ok=transmission"},
		{"https://evil.example/x", base + "?ok=transmission"},
		{"/\\evil.example", base + "?ok=transmission"},
		{"", base + "?ok=transmission"},
	}
	for _, tt := range tests {
		code, loc := postLocation(t, as, base, url.Values{"target": {"sommeil"}, "data": {"Nuit agitée"}, "retour": {tt.retour}})
		if code != http.StatusSeeOther || loc != tt.want {
			t.Errorf("retour %q: %d → %q, want %q", tt.retour, code, loc, tt.want)
		}
	}
}

// The handover shows the notes of the chosen shift (the night runs over
// midnight) and every open target, for care readers only.
func TestReleve(t *testing.T) {
	w := newWorld(t)
	paris := domain.Paris()
	author := uuid.New()
	write := func(estab uuid.UUID, data string, at time.Time, closed bool) {
		err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
			n := domain.TargetedNote{UsagerID: w.resident, EstablishmentID: estab, Target: domain.TargetSleep, Data: data}
			if estab == w.ssiad {
				n.UsagerID = w.athome
			}
			n.Signed(author, "Veilleuse Nuit", at)
			if closed {
				if err := n.Close("result", "Rendormie", author, "Veilleuse Nuit", at); err != nil {
					return err
				}
			}
			return tx.SaveTargetedNote(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	write(w.ehpad, "note-20h59", time.Date(2026, 11, 20, 20, 59, 0, 0, paris), true)
	write(w.ehpad, "note-23h30", time.Date(2026, 11, 20, 23, 30, 0, 0, paris), true)
	write(w.ehpad, "note-06h50", time.Date(2026, 11, 21, 6, 50, 0, 0, paris), false)
	write(w.ehpad, "note-07h00", time.Date(2026, 11, 21, 7, 0, 0, 0, paris), true)
	write(w.ehpad, "ancienne-ouverte", time.Date(2026, 11, 1, 10, 0, 0, 0, paris), false)
	write(w.ssiad, "domicile", time.Date(2026, 11, 20, 23, 0, 0, 0, paris), false)

	nurse := w.login("u.infirmier")
	code, body := nurse.get("/releve?etablissement=" + w.ehpad.String() + "&jour=2026-11-20&poste=nuit")
	if code != http.StatusOK {
		t.Fatalf("relève: %d", code)
	}
	assertUniqueIDs(t, body)
	shift, open, _ := strings.Cut(body, `id="h-releve-open"`)
	for _, want := range []string{"note-23h30", "note-06h50"} {
		if !strings.Contains(shift, want) {
			t.Errorf("night shift misses %s", want)
		}
	}
	for _, not := range []string{"note-20h59", "note-07h00", "domicile"} {
		if strings.Contains(shift, not) {
			t.Errorf("night shift shows %s", not)
		}
	}
	if !strings.Contains(open, "note-06h50") || !strings.Contains(open, "ancienne-ouverte") || strings.Contains(open, "note-23h30") || strings.Contains(open, "domicile") {
		t.Error("open targets of the EHPAD wrong")
	}
	if n := w.count("access_trail WHERE detail = 'relève : transmissions ciblées'"); n != 1 {
		t.Errorf("relève reads traced: %d, want 1 (one person)", n)
	}
	// From the relève, a note is written and the nurse comes back to it.
	if !strings.Contains(body, "/transmissions/nouvelle?retour=%2freleve%3fetablissement%3d"+w.ehpad.String()) &&
		!strings.Contains(body, "/transmissions/nouvelle?retour=%2Freleve%3Fetablissement%3D"+w.ehpad.String()) {
		t.Error("the relève offers no way to write a note and come back")
	}
	retour := "/releve?etablissement=" + w.ehpad.String() + "&jour=2026-11-20&poste=nuit"
	nurse.get("/usagers/" + w.resident.String() + "/transmissions/nouvelle?retour=" + url.QueryEscape(retour))
	if code, loc := postLocation(t, nurse, "/usagers/"+w.resident.String()+"/transmissions", url.Values{"target": {"douleur"}, "data": {"EVA 4"},
		"retour": {retour}}); code != http.StatusSeeOther || loc != retour {
		t.Errorf("write from the relève: %d → %q", code, loc)
	}
	// The default shift is the one that just ended; a bad shift is a 400.
	if code, body := nurse.get("/releve"); code != http.StatusOK || !strings.Contains(body, "Relève — EHPAD Les Tilleuls") {
		t.Errorf("default relève: %d", code)
	}
	if code, _ := nurse.get("/releve?poste=sieste"); code != http.StatusBadRequest {
		t.Errorf("unknown shift: %d", code)
	}
	// Not in the SSIAD, nor for the educator anywhere.
	if code, _ := nurse.get("/releve?etablissement=" + w.ssiad.String()); code != http.StatusForbidden {
		t.Errorf("relève of an establishment the nurse does not work in: %d", code)
	}
	if code, _ := w.login("u.educateur").get("/releve"); code != http.StatusForbidden {
		t.Errorf("educator relève: %d", code)
	}
	// A SSIAD aide-soignant sees the home-care round's targets.
	w.addUser("as.ssiad", w.ssiad, domain.RoleAideSoignant)
	if code, body := w.login("as.ssiad").get("/releve?jour=2026-11-20&poste=nuit"); code != http.StatusOK || !strings.Contains(body, "domicile") || strings.Contains(body, "note-23h30") {
		t.Errorf("SSIAD relève: %d", code)
	}
}

// Targeted notes are a kind of the dossier's timeline, for care readers.
func TestTargetedNotesInTimeline(t *testing.T) {
	w := newWorld(t)
	rec := "/usagers/" + w.resident.String()
	as := w.login("u.aide_soignant")
	as.get(rec + "/transmissions/nouvelle")
	if code, _ := as.post(rec+"/transmissions", url.Values{"target": {"alimentation"}, "macro": {"admission"}, "data": {"Mange seule, texture hachée"}}); code != http.StatusSeeOther {
		t.Fatalf("write: %d", code)
	}
	n := w.lastTargeted()
	for _, path := range []string{rec + "/chronologie", rec + "/chronologie?type=targeted"} {
		_, body := as.get(path)
		if !strings.Contains(body, "Mange seule") || !strings.Contains(body, "Cible : Alimentation · Macrocible d&#39;admission") ||
			!strings.Contains(body, "/transmissions#tc-"+n.ID.String()) {
			t.Errorf("%s misses the targeted note", path)
		}
	}
	// Each kind filters alone (a branch alone names the columns of the union).
	for _, kind := range []string{"note", "stay", "identity"} {
		if code, body := w.login("u.directeur").get(rec + "/chronologie?type=" + kind); code != http.StatusOK || strings.Contains(body, "Mange seule") {
			t.Errorf("timeline filtered on %s: %d", kind, code)
		}
	}
	if _, body := as.get(rec + "/chronologie?type=event"); strings.Contains(body, "Mange seule") {
		t.Error("the event filter shows a targeted note")
	}
	if _, body := w.login("u.educateur").get(rec + "/chronologie"); strings.Contains(body, "Mange seule") {
		t.Error("an educator (no care read) sees a targeted note in the timeline")
	}
}
