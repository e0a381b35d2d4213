package frontend_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// An administrator registers a partner API client, sees its secret once,
// and revokes it; bad input is refused beside the field.
func TestAPIClientsAdministration(t *testing.T) {
	w := newWorld(t)
	admin := w.login("u.administrateur")
	estab := w.scalarID(`SELECT establishment_id FROM stays WHERE usager_id = '` + w.resident.String() + `'`)
	form := func(id, scopes string) url.Values {
		return url.Values{"client_id": {id}, "name": {"Centre hospitalier"}, "establishment_id": {estab}, "role": {"medecin"}, "scopes": {scopes}}
	}
	code, body := admin.post("/admin/clients-api", form("ch-villefranche", "system/Patient.read"))
	if code != http.StatusCreated || !strings.Contains(body, `id="secret-value"`) {
		t.Fatalf("create: %d", code)
	}
	secret := regexp.MustCompile(`id="secret-value">([^<]+)<`).FindStringSubmatch(body)[1]
	if len(secret) < 40 {
		t.Fatalf("secret %q", secret)
	}
	_, list := admin.get("/admin/clients-api")
	if strings.Contains(list, secret) || !strings.Contains(list, "ch-villefranche") {
		t.Fatal("the list shows the secret again, or not the client")
	}
	for _, tc := range []struct {
		name string
		form url.Values
		msg  string
	}{
		{"taken id", form("ch-villefranche", "system/Patient.read"), "déjà pris"},
		{"bad scope", form("autre", "Patient.read"), "Portée inconnue"},
		{"bad id", form("A B", "system/Patient.read"), "L'identifiant du client"},
	} {
		before := w.count("api_clients")
		code, body := admin.post("/admin/clients-api", tc.form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), tc.msg) {
			t.Errorf("%s: %d", tc.name, code)
		}
		if w.count("api_clients") != before {
			t.Errorf("%s: stored", tc.name)
		}
	}
	if code, _ := w.login("u.infirmier").post("/admin/clients-api", form("x-nurse", "system/Patient.read")); code != http.StatusForbidden {
		t.Errorf("a nurse registering a client: %d", code)
	}
	id := w.scalarID(`SELECT id FROM api_clients WHERE client_id = 'ch-villefranche'`)
	if code, _ := admin.post("/admin/clients-api/"+id+"/revocation", nil); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if n := w.count(`api_clients WHERE client_id = 'ch-villefranche' AND NOT active`); n != 1 {
		t.Fatal("not revoked")
	}
}
