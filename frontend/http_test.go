package frontend_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// TestRoleMatrixOnRoutes walks every role × section × action against the
// HTTP route that needs it, and checks the answer matches the default matrix.
func TestRoleMatrixOnRoutes(t *testing.T) {
	w := newWorld(t)
	granted := map[domain.Grant]bool{}
	for _, g := range domain.DefaultMatrix() {
		granted[g] = true
	}
	rec := "/usagers/" + w.resident.String()
	// A note written by someone else, for the validate action.
	author := store.NewID()
	newNote := func(s domain.Section) uuid.UUID {
		n := domain.Note{UsagerID: w.resident, Section: s, AuthorID: author, AuthorName: "Autre", Body: "à valider"}
		if err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error { return tx.SaveNote(&n) }); err != nil {
			t.Fatal(err)
		}
		return n.ID
	}
	type probe func(c *client) (int, int) // returns status and the status meaning "allowed"
	routes := map[domain.Section]map[domain.Action]probe{}
	for _, s := range domain.RecordSections {
		s := s
		routes[s] = map[domain.Action]probe{
			domain.ActionRead: func(c *client) (int, int) {
				code, _ := c.get(rec + "/sections/" + string(s))
				return code, http.StatusOK
			},
			domain.ActionWrite: func(c *client) (int, int) {
				code, _ := c.post(rec+"/sections/"+string(s)+"/notes", url.Values{"body": {"note de test"}})
				return code, http.StatusSeeOther
			},
			domain.ActionValidate: func(c *client) (int, int) {
				code, _ := c.post(rec+"/sections/"+string(s)+"/notes/"+newNote(s).String()+"/valider", nil)
				return code, http.StatusSeeOther
			},
			domain.ActionExport: func(c *client) (int, int) {
				code, _ := c.get(rec + "/sections/" + string(s) + "/export.csv")
				return code, http.StatusOK
			},
		}
	}
	routes[domain.SectionTrail] = map[domain.Action]probe{
		domain.ActionRead:   func(c *client) (int, int) { code, _ := c.get(rec + "/trail"); return code, http.StatusOK },
		domain.ActionExport: func(c *client) (int, int) { code, _ := c.get(rec + "/trail.csv"); return code, http.StatusOK },
	}
	routes[domain.SectionSettings] = map[domain.Action]probe{
		domain.ActionRead: func(c *client) (int, int) { code, _ := c.get("/admin/utilisateurs"); return code, http.StatusOK },
		domain.ActionWrite: func(c *client) (int, int) {
			code, _ := c.get("/admin/utilisateurs/nouveau")
			return code, http.StatusOK
		},
	}
	for _, role := range domain.AllRoles {
		role := role
		t.Run(string(role), func(t *testing.T) {
			c := w.login("u." + string(role))
			for _, s := range domain.AllSections {
				for _, a := range domain.AllActions {
					want := granted[domain.Grant{Role: role, Section: s, Action: a}]
					p, ok := routes[s][a]
					if !ok {
						// No route needs this right; the matrix must not grant it either.
						if want {
							t.Errorf("%s:%s granted but no route uses it", s, a)
						}
						continue
					}
					code, allowed := p(c)
					switch {
					case want && code != allowed:
						t.Errorf("%s:%s granted, route answered %d (want %d)", s, a, code, allowed)
					case !want && code != http.StatusForbidden:
						t.Errorf("%s:%s not granted, route answered %d (want 403)", s, a, code)
					}
				}
			}
			// The dossier shows exactly the readable sections as tabs.
			_, body := c.get(rec)
			for _, s := range domain.RecordSections {
				has := strings.Contains(body, `/sections/`+string(s)+`"`)
				if want := granted[domain.Grant{Role: role, Section: s, Action: domain.ActionRead}]; has != want {
					t.Errorf("tab %s shown = %v, want %v", s, has, want)
				}
			}
		})
	}
}

// Another organisation's record answers 404, another establishment's 403.
func TestRecordVisibility(t *testing.T) {
	w := newWorld(t)
	c := w.login("u.infirmier") // infirmier in the EHPAD only
	if code, _ := c.get("/usagers/" + w.resident.String()); code != http.StatusOK {
		t.Errorf("own establishment: %d, want 200", code)
	}
	if code, _ := c.get("/usagers/" + w.athome.String()); code != http.StatusForbidden {
		t.Errorf("other establishment of the organisation: %d, want 403", code)
	}
	code, body := c.get("/usagers/" + w.foreign.String())
	if code != http.StatusNotFound {
		t.Errorf("other organisation: %d, want 404", code)
	}
	if strings.Contains(body, "Ailleurs") || strings.Contains(strings.ToUpper(body), "AILLEURS") {
		t.Error("the 404 page reveals the other organisation's record")
	}
	if code, _ := c.get("/usagers/" + uuid.NewString()); code != http.StatusNotFound {
		t.Errorf("unknown id: %d, want 404", code)
	}
	_, list := c.get("/usagers")
	if !strings.Contains(list, "RÉSIDENTE") || strings.Contains(list, "DOMICILE") || strings.Contains(list, "AILLEURS") {
		t.Errorf("list should show only the EHPAD's usagers")
	}
}

func TestUnauthenticatedIsSentToLogin(t *testing.T) {
	w := newWorld(t)
	c := w.client()
	code, _ := c.get("/usagers/" + w.resident.String())
	if code != http.StatusSeeOther {
		t.Fatalf("anonymous GET: %d, want 303 to /login", code)
	}
	code, _ = c.get("/login")
	if code != http.StatusOK {
		t.Fatalf("login page: %d", code)
	}
	code, body := c.post("/login", url.Values{"username": {"u.directeur"}, "password": {"mauvais-mot-de-passe"}})
	if code != http.StatusUnauthorized || !strings.Contains(body, "Identifiant ou mot de passe incorrect") {
		t.Errorf("wrong password: %d", code)
	}
}

func TestPostWithoutValidCSRFTokenIsRefused(t *testing.T) {
	w := newWorld(t)
	c := w.login("u.directeur")
	before := w.count("usagers")
	form := url.Values{"birth_name": {"Nouveau"}, "first_names": {"Paul"}, "birth_date": {"1940-02-03"}, "sex": {"M"},
		"establishment_id": {w.ehpad.String()}, "mode": {"hebergement_permanent"}}
	for _, token := range []string{"", "forged-token"} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("csrf_token", token)
		code, _ := c.do(http.MethodPost, "/usagers", f)
		if code != http.StatusForbidden {
			t.Errorf("csrf_token %q: %d, want 403", token, code)
		}
	}
	if after := w.count("usagers"); after != before {
		t.Errorf("usagers %d → %d after refused POSTs", before, after)
	}
	// The login form is protected too (pre-session double submit).
	anon := w.client()
	if code, _ := anon.do(http.MethodPost, "/login", url.Values{"username": {"u.directeur"}, "password": {testPassword}}); code != http.StatusForbidden {
		t.Errorf("login without token: %d, want 403", code)
	}
}

func TestCreateUsagerValidation(t *testing.T) {
	w := newWorld(t)
	c := w.login("u.secretariat")
	valid := url.Values{"birth_name": {"Martin"}, "first_names": {"Louise Anne"}, "birth_date": {"1941-07-14"}, "sex": {"F"},
		"birth_place_code": {"2A004"}, "establishment_id": {w.ehpad.String()}, "mode": {"hebergement_permanent"}}
	tests := []struct {
		name, field, value, message string
	}{
		{"empty birth name", "birth_name", "", "Le nom de naissance est obligatoire."},
		{"malformed date", "birth_date", "31/02/1941", "La date de naissance n'est pas une date valide"},
		{"date in the future", "birth_date", "2999-01-01", "La date de naissance ne peut pas être dans le futur."},
		{"bad INSEE code", "birth_place_code", "7505", "Le code INSEE du lieu de naissance compte 5 caractères"},
		{"missing sex", "sex", "", "Choisissez le sexe."},
		{"unknown mode", "mode", "croisiere", "Choisissez le mode d'accueil."},
		{"establishment of another organisation", "establishment_id", uuid.NewString(), "Vous ne pouvez pas créer de dossier dans cet établissement."},
	}
	before, staysBefore := w.count("usagers"), w.count("stays")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range valid {
				f[k] = v
			}
			f.Set(tc.field, tc.value)
			f.Set("used_name", "Gardé-Tel-Quel")
			code, body := c.post("/usagers", f)
			if code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", code)
			}
			if !strings.Contains(body, `id="`+tc.field+`-error">`+html.EscapeString(tc.message)) {
				t.Errorf("no French message %q beside field %s", tc.message, tc.field)
			}
			if !strings.Contains(body, `value="Gardé-Tel-Quel"`) {
				t.Error("the form lost what the person typed")
			}
		})
	}
	if after := w.count("usagers"); after != before {
		t.Fatalf("invalid forms stored usagers: %d → %d", before, after)
	}
	code, _ := c.post("/usagers", valid)
	if code != http.StatusSeeOther || w.count("usagers") != before+1 || w.count("stays") != staysBefore+1 {
		t.Fatalf("valid form: %d, usagers %d, stays %d", code, w.count("usagers"), w.count("stays"))
	}
}

// Admission, discharge, entourage and consents through the forms, each
// write traced; reading the care section is traced too.
func TestRecordLifecycleIsTraced(t *testing.T) {
	w := newWorld(t)
	c := w.login("u.directeur")
	code, _ := c.post("/usagers", url.Values{"birth_name": {"Petit"}, "first_names": {"Léon"}, "birth_date": {"1939-03-02"}, "sex": {"M"},
		"establishment_id": {w.ehpad.String()}, "mode": {"hebergement_temporaire"}})
	if code != http.StatusSeeOther {
		t.Fatalf("create: %d", code)
	}
	var id, stay uuid.UUID
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		if err := tx.Gorm().Raw(`SELECT id FROM usagers WHERE birth_name = 'Petit'`).Row().Scan(&id); err != nil {
			return err
		}
		return tx.Gorm().Raw(`SELECT id FROM stays WHERE usager_id = ?`, id).Row().Scan(&stay)
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := "/usagers/" + id.String()
	steps := []struct {
		path string
		form url.Values
		want int
	}{
		{rec + "/sejours/" + stay.String() + "/sortie", url.Values{"discharge_date": {"2024-05-01"}, "discharge_reason": {"Décès"}}, http.StatusUnprocessableEntity}, // not admitted yet
		{rec + "/sejours/" + stay.String() + "/admission", url.Values{"admission_date": {"pas une date"}}, http.StatusUnprocessableEntity},
		{rec + "/sejours/" + stay.String() + "/admission", url.Values{"admission_date": {"2024-03-01"}, "mode": {"hebergement_permanent"}}, http.StatusSeeOther},
		{rec + "/sejours/" + stay.String() + "/sortie", url.Values{"discharge_date": {"2024-02-01"}, "discharge_reason": {"Décès"}}, http.StatusUnprocessableEntity}, // before admission
		{rec + "/sejours/" + stay.String() + "/sortie", url.Values{"discharge_date": {"2024-06-01"}, "discharge_reason": {"Retour à domicile"}}, http.StatusSeeOther},
		{rec + "/entourage", url.Values{"last_name": {"Petit"}, "first_name": {"Anne"}, "relationship": {"fille"}, "roles": {"personne_de_confiance"}}, http.StatusUnprocessableEntity}, // no way to reach her
		{rec + "/entourage", url.Values{"last_name": {"Petit"}, "first_name": {"Anne"}, "relationship": {"fille"}, "roles": {"personne_de_confiance", "personne_a_prevenir"}, "phone": {"06 12 34 56 78"}}, http.StatusSeeOther},
		{rec + "/consentements", url.Values{"scope": {"alimentation_dmp"}, "decision": {"granted"}, "given_on": {"2024-03-01"}, "given_by": {"representant_legal"}}, http.StatusUnprocessableEntity}, // name missing
		{rec + "/consentements", url.Values{"scope": {"alimentation_dmp"}, "decision": {"granted"}, "given_on": {"2024-03-01"}, "given_by": {"usager"}}, http.StatusSeeOther},
	}
	for i, s := range steps {
		if code, body := c.post(s.path, s.form); code != s.want {
			t.Fatalf("step %d %s: %d, want %d\n%s", i, s.path, code, s.want, body)
		}
	}
	_, page := c.get(rec)
	for _, want := range []string{"Sorti", "Retour à domicile", "Alimentation du DMP", "Accord"} {
		if !strings.Contains(page, want) {
			t.Errorf("dossier misses %q", want)
		}
	}
	_, admin := c.get(rec)
	assertUniqueIDs(t, admin)
	_, social := c.get(rec + "/sections/social")
	if !strings.Contains(social, "Personne de confiance") || !strings.Contains(social, "06 12 34 56 78") {
		t.Error("entourage not shown on the social tab")
	}
	// The director reads care: traced. Reading admin is not.
	trailBefore := w.count("access_trail")
	c.get(rec + "/sections/admin")
	if w.count("access_trail") != trailBefore {
		t.Error("reading the admin section was traced; only care and medical reads are")
	}
	c.get(rec + "/sections/care")
	if w.count("access_trail") != trailBefore+1 {
		t.Error("reading the care section was not traced")
	}
	_, trail := c.get(rec + "/trail")
	for _, want := range []string{"création du dossier", "admission", "sortie", "consultation", "ajout d'un membre de l'entourage"} {
		if !strings.Contains(trail, html.EscapeString(want)) {
			t.Errorf("trail page misses %q", want)
		}
	}
}

func TestHealthz(t *testing.T) {
	w := newWorld(t)
	resp, err := http.Get(w.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	w.db.Close()
	resp, err = http.Get(w.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %d, want 503", resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	w := newWorld(t)
	resp, err := http.Get(w.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	for _, ck := range resp.Cookies() {
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s: HttpOnly=%v SameSite=%v", ck.Name, ck.HttpOnly, ck.SameSite)
		}
	}
}
