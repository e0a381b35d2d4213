package frontend_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/store"
)

// The administrator enters a doctor's RPPS number and profession on the
// account page: a valid number is saved, a wrong key is refused with a
// French message and nothing changes, a number already given to another
// account is refused.
func TestAdminProfessionalRPPS(t *testing.T) {
	w := newWorld(t)
	admin := w.login("u.administrateur")
	var doctor, nurse uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		if err := tx.Gorm().Raw(`SELECT id FROM users WHERE username = 'u.medecin'`).Row().Scan(&doctor); err != nil {
			return err
		}
		return tx.Gorm().Raw(`SELECT id FROM users WHERE username = 'u.infirmier'`).Row().Scan(&nurse)
	})
	if err != nil {
		t.Fatal(err)
	}
	stored := func(id uuid.UUID) string {
		t.Helper()
		var rpps, profession string
		err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
			return tx.Gorm().Raw(`SELECT rpps, profession FROM users WHERE id = ?`, id).Row().Scan(&rpps, &profession)
		})
		if err != nil {
			t.Fatal(err)
		}
		return rpps + "/" + profession
	}
	page := "/admin/utilisateurs/" + doctor.String()
	if code, body := admin.get(page); code != http.StatusOK || !strings.Contains(body, `name="rpps"`) || !strings.Contains(body, "Médecin</option>") {
		t.Fatalf("account page without the RPPS field: %d", code)
	}
	if code, body := admin.post(page+"/professionnel", url.Values{"rpps": {"1000 3080 008"}, "profession": {"10"}}); code != http.StatusSeeOther {
		t.Fatalf("valid RPPS: %d\n%s", code, body)
	}
	if got := stored(doctor); got != "10003080008/10" {
		t.Fatalf("stored %q", got)
	}
	if _, body := admin.get(page); !strings.Contains(body, `value="10003080008"`) || !strings.Contains(body, `value="10" selected`) {
		t.Error("the saved RPPS and profession are not shown back")
	}
	for _, tc := range []struct{ name, rpps, profession, field, msg string }{
		{"wrong key", "10003080009", "10", "rpps", "Le numéro RPPS n'est pas valide : 11 chiffres, le dernier étant la clé de contrôle."},
		{"too short", "1000308", "10", "rpps", "Le numéro RPPS n'est pas valide"},
		{"unknown profession", "10003080008", "99", "profession", "Choisissez une profession de la liste."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := admin.post(page+"/professionnel", url.Values{"rpps": {tc.rpps}, "profession": {tc.profession}})
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+tc.field+`-error"`) || !strings.Contains(body, html.EscapeString(tc.msg)) {
				t.Fatalf("%d, want 422 with %q beside %s", code, tc.msg, tc.field)
			}
			if !strings.Contains(body, `value="`+tc.rpps+`"`) {
				t.Error("the typed number is not kept in the form")
			}
			if got := stored(doctor); got != "10003080008/10" {
				t.Errorf("a refused number changed the account: %q", got)
			}
		})
	}
	code, body := admin.post("/admin/utilisateurs/"+nurse.String()+"/professionnel", url.Values{"rpps": {"10003080008"}, "profession": {"60"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, html.EscapeString("déjà celui d'un autre compte")) {
		t.Errorf("an RPPS given twice: %d", code)
	}
	// Emptied: the account is no longer a health professional.
	if code, _ := admin.post(page+"/professionnel", url.Values{"rpps": {""}, "profession": {""}}); code != http.StatusSeeOther || stored(doctor) != "/" {
		t.Errorf("emptied: %d %q", code, stored(doctor))
	}
	// Only an administrator of the settings may do it.
	if code, _ := w.login("u.medecin").post(page+"/professionnel", url.Values{"rpps": {"10001234565"}}); code != http.StatusForbidden {
		t.Errorf("a doctor sets an RPPS: %d", code)
	}
}
