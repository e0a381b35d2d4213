package frontend_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// careToday is today's date in Paris as the forms send it.
func careToday() string { return domain.FormatDate(domain.ParisDay(time.Now())) }

// lastCareAct returns the id of the newest care act of a usager.
func (w *world) lastCareAct(usager uuid.UUID) uuid.UUID {
	w.t.Helper()
	var id uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM care_acts WHERE usager_id = ? ORDER BY created_at DESC, id LIMIT 1", usager).Row().Scan(&id)
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// everyDayAct is the form of an act due every day in the morning.
func everyDayAct(estab uuid.UUID, kind string) url.Values {
	return url.Values{"establishment_id": {estab.String()}, "kind": {kind}, "weekdays": {"0", "1", "2", "3", "4", "5", "6"},
		"moments": {"matin"}, "start": {"2026-01-01"}, "instructions": {"Savon doux, crème hydratante"}}
}

// A nurse defines an act; an aide-soignant marks it done from the daily
// checklist (a double tap is harmless); a not-done mark without reason is
// refused beside the field with nothing stored; a different mark is a
// conflict, a correction with a reason goes through and keeps the previous
// state; an educator (no care right) gets 403 everywhere.
func TestCarePlanMarkingAndRights(t *testing.T) {
	w := newWorld(t)
	plan := "/usagers/" + w.resident.String() + "/plan-de-soins"
	nurse := w.login("u.infirmier")
	form := everyDayAct(w.ehpad, "")
	if code, body := nurse.post(plan+"/actes", form); code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="kind-error"`) ||
		!strings.Contains(body, "Choisissez le type de soin") {
		t.Fatalf("act without kind: %d", code)
	}
	if n := w.count("care_acts"); n != 0 {
		t.Fatalf("%d acts stored from a refused form", n)
	}
	form.Set("kind", "toilette_complete")
	if code, body := nurse.post(plan+"/actes", form); code != http.StatusSeeOther {
		t.Fatalf("nurse adds an act: %d %s", code, body)
	}
	act := w.lastCareAct(w.resident)
	as := w.login("u.aide_soignant")
	if code, _ := as.post(plan+"/actes", everyDayAct(w.ehpad, "douche")); code != http.StatusForbidden {
		t.Errorf("aide-soignant defines an act: %d", code)
	}
	code, body := as.get("/soins-du-jour")
	if code != http.StatusOK || !strings.Contains(body, "Toilette complète") || !strings.Contains(body, `id="done-`+act.String()+`-matin"`) {
		t.Fatalf("checklist of the aide-soignant: %d", code)
	}
	assertUniqueIDs(t, body)
	occ := "/soins/actes/" + act.String() + "/occurrence"
	done := url.Values{"jour": {careToday()}, "moment": {"matin"}, "state": {"fait"}, "retour": {"/soins-du-jour"}}
	for tap := 0; tap < 2; tap++ {
		if code, _ := as.post(occ, done); code != http.StatusSeeOther {
			t.Fatalf("tap %d on done: %d", tap+1, code)
		}
	}
	if n := w.count("care_marks WHERE done"); n != 1 {
		t.Fatalf("%d done marks after a double tap, want 1", n)
	}
	if _, body := as.get("/soins-du-jour"); !strings.Contains(body, `id="state-`+act.String()+`-matin"`) || !strings.Contains(body, "Aide-soignant Test") {
		t.Errorf("the checklist does not show who marked the act")
	}
	tests := []struct {
		name  string
		form  url.Values
		code  int
		field string
	}{
		{"not done without reason", url.Values{"state": {"non_fait"}}, http.StatusUnprocessableEntity, "reason"},
		{"not done, other reason without text", url.Values{"state": {"non_fait"}, "reason": {"autre"}}, http.StatusUnprocessableEntity, "reason_text"},
		{"a different mark without correction", url.Values{"state": {"non_fait"}, "reason": {"refus"}}, http.StatusConflict, "state"},
		{"correction without its reason", url.Values{"state": {"non_fait"}, "reason": {"refus"}, "correction": {"1"}}, http.StatusUnprocessableEntity, "correction_reason"},
	}
	for _, tc := range tests {
		tc.form.Set("jour", careToday())
		tc.form.Set("moment", "matin")
		code, body := as.post(occ, tc.form)
		if code != tc.code || !strings.Contains(body, `id="`+tc.field+`-error"`) {
			t.Errorf("%s: %d, want %d with a message on %s", tc.name, code, tc.code, tc.field)
		}
	}
	if n := w.count("care_marks WHERE NOT done"); n != 0 {
		t.Fatalf("a refused mark changed the stored one")
	}
	if n := w.count("care_mark_corrections"); n != 0 {
		t.Fatalf("a refused correction was stored")
	}
	fix := url.Values{"jour": {careToday()}, "moment": {"matin"}, "state": {"non_fait"}, "reason": {"refus"}, "correction": {"1"},
		"correction_reason": {"Coché par erreur : Mme a refusé la toilette"}, "retour": {plan}}
	if code, _ := as.post(occ, fix); code != http.StatusSeeOther {
		t.Fatalf("correction: %d", code)
	}
	if n := w.count("care_marks WHERE NOT done AND reason = 'refus'"); n != 1 {
		t.Errorf("the correction did not replace the mark")
	}
	if n := w.count("care_mark_corrections WHERE done"); n != 1 {
		t.Errorf("the corrected state was not kept")
	}
	if code, body := as.get(occ + "?" + url.Values{"jour": {careToday()}, "moment": {"matin"}}.Encode()); code != http.StatusOK ||
		!strings.Contains(body, "Coché par erreur") {
		t.Errorf("the occurrence page does not show the correction: %d", code)
	}
	if n := w.count("access_trail WHERE section = 'care' AND action = 'write' AND detail LIKE 'soin noté%'"); n != 2 {
		t.Errorf("%d trail rows for the marks, want 2 (first mark and repeated tap)", n)
	}
	if n := w.count("access_trail WHERE detail LIKE 'correction d''un soin noté%'"); n != 1 {
		t.Errorf("the correction is not traced")
	}
	if code, body := nurse.get(plan); code != http.StatusOK || !strings.Contains(body, "Toilette complète") || !strings.Contains(body, "Non fait : refus") {
		t.Errorf("care plan page: %d", code)
	} else {
		assertUniqueIDs(t, body)
	}
	if code, _ := nurse.post(plan+"/actes/"+act.String()+"/arreter", url.Values{"stop_reason": {"Passage à la douche"}}); code != http.StatusSeeOther {
		t.Errorf("stop: %d", code)
	}
	if n := w.count("care_acts WHERE stopped_at IS NOT NULL AND stop_reason = 'Passage à la douche'"); n != 1 {
		t.Errorf("the act is not stopped")
	}
	educ := w.login("u.educateur")
	for _, path := range []string{plan, "/soins-du-jour", "/tournee", occ + "?jour=" + careToday() + "&moment=matin"} {
		if code, _ := educ.get(path); code != http.StatusForbidden {
			t.Errorf("educator GET %s: %d, want 403", path, code)
		}
	}
	if code, _ := educ.post(occ, done); code != http.StatusForbidden {
		t.Errorf("educator marks a care act: %d", code)
	}
}

// A round of the SSIAD is created by its nurse (care validate), its stops
// ordered, and shows on "Ma tournée" with the address, access notes and the
// care due; someone without a role in the SSIAD cannot manage it.
func TestRoundManagementAndMyRound(t *testing.T) {
	w := newWorld(t)
	ide := w.addSSIADUser("ide.tournee", domain.RoleInfirmier)
	c := w.login("ide.tournee")
	if code, body := c.post("/tournees", url.Values{"establishment_id": {w.ssiad.String()}, "name": {""}}); code != http.StatusUnprocessableEntity ||
		!strings.Contains(body, `id="name-error"`) {
		t.Fatalf("round without a name: %d", code)
	}
	if code, _ := c.post("/tournees", url.Values{"establishment_id": {w.ssiad.String()}, "name": {"Tournée du matin"}}); code != http.StatusSeeOther {
		t.Fatalf("create round: %d", code)
	}
	var round uuid.UUID
	if err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		return tx.Gorm().Raw("SELECT id FROM care_rounds").Row().Scan(&round)
	}); err != nil {
		t.Fatal(err)
	}
	page := "/tournees/" + round.String()
	if code, _ := c.post(page+"/arrets", url.Values{"usager_id": {w.resident.String()}}); code != http.StatusUnprocessableEntity {
		t.Errorf("an EHPAD resident added to an SSIAD round: %d", code)
	}
	steps := []url.Values{
		{"usager_id": {w.athome.String()}, "access_notes": {"Clé dans la boîte à clés, code 4521"}},
	}
	for _, f := range steps {
		if code, body := c.post(page+"/arrets", f); code != http.StatusSeeOther {
			t.Fatalf("add stop: %d %s", code, body)
		}
	}
	if code, _ := c.post(page, url.Values{"name": {"Tournée du matin"}, "default_user_id": {ide.String()}}); code != http.StatusSeeOther {
		t.Fatalf("default professional: %d", code)
	}
	if code, body := c.get(page); code != http.StatusOK || !strings.Contains(body, "code 4521") {
		t.Fatalf("round page: %d", code)
	} else {
		assertUniqueIDs(t, body)
	}
	if code, _ := c.post("/usagers/"+w.athome.String()+"/plan-de-soins/actes", everyDayAct(w.ssiad, "pansement")); code != http.StatusSeeOther {
		t.Fatalf("act at home: %d", code)
	}
	code, body := c.get("/tournee")
	if code != http.StatusOK || !strings.Contains(body, "DOMICILE Jeanne") || !strings.Contains(body, "code 4521") || !strings.Contains(body, "Pansement") ||
		!strings.Contains(body, "/usagers/"+w.athome.String()+"/transmissions/nouvelle?retour=%2Ftournee") {
		t.Fatalf("my round: %d %s", code, body)
	}
	assertUniqueIDs(t, body)
	if !strings.Contains(body, `href="/tournees"`) {
		t.Errorf("the SSIAD nurse has no link to manage the rounds")
	}
	// Another day assigned to someone else: the round leaves my list that day.
	other := w.addSSIADUser("as.tournee", domain.RoleAideSoignant)
	tomorrow := domain.FormatDate(domain.ParisDay(time.Now()).AddDate(0, 0, 1))
	if code, _ := c.post(page+"/affectation", url.Values{"day": {tomorrow}, "user_id": {other.String()}}); code != http.StatusSeeOther {
		t.Fatalf("assign: %d", code)
	}
	if _, body := c.get("/tournee?jour=" + tomorrow); !strings.Contains(body, "Aucune tournée") {
		t.Errorf("the nurse still has the round on the day given to the aide-soignant")
	}
	if _, body := w.login("as.tournee").get("/tournee?jour=" + tomorrow); !strings.Contains(body, "Tournée du matin") {
		t.Errorf("the aide-soignant does not see the round assigned to her")
	}
	if code, _ := w.login("u.infirmier").get(page); code != http.StatusNotFound {
		t.Errorf("an EHPAD nurse opens the SSIAD round: %d, want 404", code)
	}
	if code, _ := w.login("as.tournee").post(page+"/arrets/x/retirer", nil); code != http.StatusForbidden {
		t.Errorf("an aide-soignant manages the round: %d, want 403", code)
	}
}

// addSSIADUser creates an account with role in the SSIAD.
func (w *world) addSSIADUser(username string, role domain.Role) uuid.UUID {
	w.t.Helper()
	hashed := w.passwordHash()
	u := domain.User{Username: username, DisplayName: role.Label() + " SSIAD", Active: true}
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		if err := tx.CreateUser(&u, hashed); err != nil {
			return err
		}
		return tx.AddMembership(domain.Membership{UserID: u.ID, EstablishmentID: w.ssiad, Role: role})
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return u.ID
}

func (w *world) passwordHash() string {
	w.t.Helper()
	h, err := access.HashPassword(testPassword)
	if err != nil {
		w.t.Fatal(err)
	}
	return h
}
