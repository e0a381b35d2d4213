package frontend_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/relais-dui/relais/domain"
)

// The administrator edits the role matrix in the UI; a revoked right is
// refused at once, and a matrix that would lock everyone out is refused.
func TestAdminRoleMatrixRevokesAtOnce(t *testing.T) {
	w := newWorld(t)
	nurse := w.login("u.infirmier")
	care := "/usagers/" + w.resident.String() + "/sections/care"
	if code, _ := nurse.get(care); code != http.StatusOK {
		t.Fatalf("nurse reads care: %d", code)
	}
	admin := w.login("u.administrateur")
	form := url.Values{}
	for _, g := range domain.DefaultMatrix() {
		if g.Role == domain.RoleInfirmier && g.Section == domain.SectionCare && g.Action == domain.ActionRead {
			continue
		}
		form.Add("grant", string(g.Role)+"/"+string(g.Section)+"/"+string(g.Action))
	}
	if code, body := admin.post("/admin/roles", form); code != http.StatusSeeOther {
		t.Fatalf("save matrix: %d\n%s", code, body)
	}
	if code, _ := nurse.get(care); code != http.StatusForbidden {
		t.Errorf("nurse after revocation: %d, want 403", code)
	}
	_, page := admin.get("/admin/roles")
	if strings.Contains(page, `value="infirmier/care/read" aria-label="Infirmier · Soins · Lire" checked`) {
		t.Error("the revoked right is still checked on the page")
	}
	// No settings:write left for anyone: refused, nothing changed.
	code, body := admin.post("/admin/roles", url.Values{"grant": {"administrateur/settings/read"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `class="alert"`) {
		t.Errorf("lock-out matrix: %d", code)
	}
	if code, _ := admin.get("/admin/utilisateurs/nouveau"); code != http.StatusOK {
		t.Errorf("after the refused lock-out the administrator lost settings:write (%d)", code)
	}
}

// An administrator creates an account and grants it a role; the new user
// logs in and sees the establishment's usagers.
func TestAdminCreatesAccount(t *testing.T) {
	w := newWorld(t)
	admin := w.login("u.administrateur")
	bad := url.Values{"username": {"Marie Durand"}, "display_name": {""}, "password": {"court"}, "password_confirm": {"court"},
		"establishment_id": {w.ssiad.String()}, "role": {"sorcier"}}
	code, body := admin.post("/admin/utilisateurs", bad)
	if code != http.StatusUnprocessableEntity {
		t.Fatalf("invalid account: %d", code)
	}
	for _, field := range []string{"username", "display_name", "password", "role", "establishment_id"} {
		if !strings.Contains(body, `id="`+field+`-error"`) {
			t.Errorf("no message beside %s", field)
		}
	}
	users := w.count("users")
	ok := url.Values{"username": {"marie.durand"}, "display_name": {"Marie Durand"}, "password": {testPassword}, "password_confirm": {testPassword},
		"establishment_id": {w.ehpad.String()}, "role": {"aide_soignant"}}
	if code, body := admin.post("/admin/utilisateurs", ok); code != http.StatusSeeOther {
		t.Fatalf("create account: %d\n%s", code, body)
	}
	if w.count("users") != users+1 {
		t.Fatal("account not stored")
	}
	if code, body := admin.post("/admin/utilisateurs", ok); code != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString("Cet identifiant est déjà pris.")) {
		t.Errorf("duplicate username: %d", code)
	}
	marie := w.login("marie.durand")
	if _, list := marie.get("/usagers"); !strings.Contains(list, "RÉSIDENTE") {
		t.Error("the new account does not see its establishment's usagers")
	}
}
