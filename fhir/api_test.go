package fhir_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/fhir"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/server"
	"github.com/relais-dui/relais/store"
)

const secret = "un-secret-de-test-assez-long"

// api is an organisation with establishments A and B, their residents, and
// a server to call.
type api struct {
	t        testing.TB
	dsn      string
	db       *store.DB
	org      uuid.UUID
	estA     uuid.UUID
	estB     uuid.UUID
	inA, inB uuid.UUID
	qual     uuid.UUID // a resident of A with a qualified identity
	srv      *httptest.Server
}

func newAPI(t testing.TB) *api {
	t.Helper()
	ctx := context.Background()
	dsn := testpg.New(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a := &api{t: t, dsn: dsn, db: db, org: store.NewID()}
	err = db.InTenant(ctx, a.org, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(&domain.Organisation{Name: "Les Tilleuls", FinessEJ: "690000017"}); err != nil {
			return err
		}
		for _, e := range []struct {
			id     *uuid.UUID
			name   string
			finess string
			cat    domain.Category
		}{{&a.estA, "EHPAD A", "690000025", domain.CatEHPAD}, {&a.estB, "SSIAD B", "690000033", domain.CatSSIAD}} {
			es := domain.Establishment{Name: e.name, FinessET: e.finess, Category: e.cat}
			if err := tx.CreateEstablishment(&es); err != nil {
				return err
			}
			*e.id = es.ID
		}
		a.inA = a.usager(tx, "Dupont", "Jeanne Marie", "1931-04-12", "F", a.estA)
		a.inB = a.usager(tx, "Martin", "Paul", "1940-02-01", "M", a.estB)
		a.qual = a.usager(tx, "Lefèvre", "Élise", "1929-11-30", "F", a.estA)
		return tx.Gorm().Exec(`UPDATE usagers SET identity_status = 'QUAL', ins_number = '297022A020778', ins_key = '78',
			ins_oid = '1.2.250.1.213.1.4.8', ins_retrieved_at = now(), document_type = 'CNI', document_checked_at = now() WHERE id = ?`, a.qual).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	authz, err := access.NewAuthorizer(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := authz.SeedDefaults(ctx, a.org); err != nil {
		t.Fatal(err)
	}
	h, err := server.NewHandler(ctx, db, server.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	a.srv = httptest.NewServer(h)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *api) usager(tx *store.Tx, name, first, birth, sex string, estab uuid.UUID) uuid.UUID {
	a.t.Helper()
	u, err := domain.UsagerInput{BirthName: name, FirstNames: first, BirthDate: birth, Sex: sex, BirthPlaceCode: "69123"}.Parse(time.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	s := domain.Stay{EstablishmentID: estab, Status: domain.StayAdmitted, Mode: domain.ModePermanent, AdmissionDate: time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC)}
	if err := tx.CreateUsager(&u, &s); err != nil {
		a.t.Fatal(err)
	}
	return u.ID
}

// client registers an API client of establishment A.
func (a *api) client(id string, role domain.Role, scopes ...domain.Scope) {
	a.t.Helper()
	c := domain.APIClient{ClientID: id, Name: "Partenaire " + id, EstablishmentID: a.estA, Role: role, Scopes: scopes}
	if _, err := access.RegisterClient(context.Background(), a.db, a.org, &c, "test", secret); err != nil {
		a.t.Fatal(err)
	}
}

func (a *api) token(id string, form url.Values) (int, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		a.t.Fatal(err)
	}
	return resp.StatusCode, out
}

func (a *api) bearer(id string) string {
	a.t.Helper()
	code, out := a.token(id, url.Values{"grant_type": {"client_credentials"}})
	if code != http.StatusOK {
		a.t.Fatalf("token for %s: %d %v", id, code, out)
	}
	return out["access_token"].(string)
}

func (a *api) get(token, path string) (int, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		a.t.Fatalf("GET %s: content type %q", path, ct)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		a.t.Fatalf("GET %s: %v: %s", path, err, b)
	}
	if err := fhir.ValidateFHIR(b); err != nil {
		a.t.Errorf("GET %s answered invalid FHIR: %v", path, err)
	}
	return resp.StatusCode, out
}

func (a *api) count(query string, args ...any) int {
	a.t.Helper()
	var n int
	err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error { return tx.Gorm().Raw(query, args...).Scan(&n).Error })
	if err != nil {
		a.t.Fatal(err)
	}
	return n
}

// diagnostics returns the OperationOutcome's first diagnostics and
// expression, failing when out is not an OperationOutcome.
func diagnostics(t *testing.T, out map[string]any) (string, string) {
	t.Helper()
	if out["resourceType"] != "OperationOutcome" {
		t.Fatalf("not an OperationOutcome: %v", out)
	}
	issue := out["issue"].([]any)[0].(map[string]any)
	expr := ""
	if e, ok := issue["expression"].([]any); ok && len(e) > 0 {
		expr = e[0].(string)
	}
	d, _ := issue["diagnostics"].(string)
	return d, expr
}

func TestTokenEndpoint(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/Patient.read")
	tests := []struct {
		name  string
		id    string
		form  url.Values
		code  int
		error string
	}{
		{"granted", "hopital", url.Values{"grant_type": {"client_credentials"}}, 200, ""},
		{"granted scope asked", "hopital", url.Values{"grant_type": {"client_credentials"}, "scope": {"system/Patient.read"}}, 200, ""},
		{"scope not granted", "hopital", url.Values{"grant_type": {"client_credentials"}, "scope": {"system/Patient.write"}}, 400, "invalid_scope"},
		{"other grant", "hopital", url.Values{"grant_type": {"password"}}, 400, "unsupported_grant_type"},
		{"unknown client", "personne", url.Values{"grant_type": {"client_credentials"}}, 401, "invalid_client"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := a.token(tc.id, tc.form)
			if code != tc.code || (tc.error != "" && out["error"] != tc.error) {
				t.Fatalf("%d %v", code, out)
			}
			if tc.error == "" && (out["token_type"] != "Bearer" || out["expires_in"].(float64) != 3600 || out["scope"] != "system/Patient.read") {
				t.Fatalf("token answer %v", out)
			}
			if tc.error != "" && out["error_description"] == "" {
				t.Fatalf("no French description: %v", out)
			}
		})
	}
}

func TestPatientReadAndSecurity(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/Patient.read")
	a.client("labo", domain.RoleMedecin, "system/Observation.read")
	a.client("accueil", domain.RoleEducateur, "system/*.*")
	tok := a.bearer("hopital")

	code, p := a.get(tok, "/fhir/Patient/"+a.qual.String())
	if code != 200 || p["resourceType"] != "Patient" || p["id"] != a.qual.String() {
		t.Fatalf("read: %d %v", code, p)
	}
	ids := p["identifier"].([]any)
	if len(ids) != 1 || ids[0].(map[string]any)["value"] != "297022A02077878" || ids[0].(map[string]any)["system"] != "urn:oid:1.2.250.1.213.1.4.8" {
		t.Errorf("INS identifier of a QUAL identity: %v", ids)
	}
	if _, p := a.get(tok, "/fhir/Patient/"+a.inA.String()); p["identifier"] != nil {
		t.Errorf("a PROV identity carries an identifier: %v", p["identifier"])
	}
	if n := a.count(`SELECT count(*) FROM access_trail WHERE username = 'client:hopital' AND usager_id = ?`, a.qual); n != 1 {
		t.Errorf("trail rows for the client's read: %d", n)
	}

	for _, tc := range []struct {
		name, token, path string
		code              int
	}{
		{"other establishment", tok, "/fhir/Patient/" + a.inB.String(), 404},
		{"unknown id", tok, "/fhir/Patient/" + uuid.NewString(), 404},
		{"not an id", tok, "/fhir/Patient/abc", 404},
		{"no token", "", "/fhir/Patient/" + a.inA.String(), 401},
		{"forged token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/fhir/Patient/" + a.inA.String(), 401},
		{"scope without Patient", a.bearer("labo"), "/fhir/Patient/" + a.inA.String(), 403},
		{"role without the section", a.bearer("accueil"), "/fhir/Patient/" + a.inA.String(), 200}, // the educator reads the admin section
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := a.get(tc.token, tc.path)
			if code != tc.code {
				t.Fatalf("%d %v", code, out)
			}
			if code >= 400 {
				if d, _ := diagnostics(t, out); d == "" {
					t.Fatal("OperationOutcome without diagnostics")
				}
			}
		})
	}

	t.Run("expired token", func(t *testing.T) {
		expiring := a.bearer("hopital")
		// The application role may not rewrite a token: age it as the owner.
		owner, err := store.OpenOwner(context.Background(), a.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer owner.Close()
		err = owner.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
			return tx.Gorm().Exec(`UPDATE api_tokens SET expires_at = now() - interval '1 second'`).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := a.get(expiring, "/fhir/Patient/"+a.inA.String()); code != 401 {
			t.Fatalf("expired token: %d", code)
		}
	})
	t.Run("revoked client", func(t *testing.T) {
		live := a.bearer("hopital")
		if code, _ := a.get(live, "/fhir/Patient/"+a.inA.String()); code != 200 {
			t.Fatalf("before revocation: %d", code)
		}
		err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
			var id uuid.UUID
			if err := tx.Gorm().Raw(`SELECT id FROM api_clients WHERE client_id = 'hopital'`).Row().Scan(&id); err != nil {
				return err
			}
			return tx.RevokeAPIClient(id, time.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		if code, _ := a.get(live, "/fhir/Patient/"+a.inA.String()); code != 401 {
			t.Fatalf("revoked client's token: %d", code)
		}
		if code, out := a.token("hopital", url.Values{"grant_type": {"client_credentials"}}); code != 401 {
			t.Fatalf("revoked client gets a token: %d %v", code, out)
		}
	})
}

func TestPatientSearch(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/Patient.read")
	tok := a.bearer("hopital")
	search := func(q string) []string {
		t.Helper()
		code, b := a.get(tok, "/fhir/Patient?"+q)
		if code != 200 || b["resourceType"] != "Bundle" || b["type"] != "searchset" {
			t.Fatalf("search %s: %d %v", q, code, b)
		}
		var ids []string
		for _, e := range asSlice(b["entry"]) {
			ids = append(ids, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
		}
		return ids
	}
	for _, tc := range []struct {
		q    string
		want []uuid.UUID
	}{
		{"name=dup", []uuid.UUID{a.inA}},
		{"name=elise", []uuid.UUID{a.qual}},
		{"family=LEFEVRE", []uuid.UUID{a.qual}},
		{"family=jeanne", nil},
		{"given=jeanne", []uuid.UUID{a.inA}},
		{"given=marie", []uuid.UUID{a.inA}}, // any birth first name
		{"given=ELI", []uuid.UUID{a.qual}},  // Élise, accent-free
		{"given=lise", nil},                 // the start of a first name only
		{"birthdate=1931-04-12", []uuid.UUID{a.inA}},
		{"birthdate=eq1929-11-30", []uuid.UUID{a.qual}},
		{"gender=female&name=d", []uuid.UUID{a.inA}},
		{"gender=male", nil}, // Paul Martin is in B
		{"identifier=urn:oid:1.2.250.1.213.1.4.8|297022A02077878", []uuid.UUID{a.qual}},
		{"identifier=297022A02077878", []uuid.UUID{a.qual}},
		{"_id=" + a.inA.String(), []uuid.UUID{a.inA}},
		{"_id=" + a.inB.String(), nil},
	} {
		got := search(tc.q)
		if fmt.Sprint(got) != fmt.Sprint(idStrings(tc.want)) {
			t.Errorf("%s: got %v want %v", tc.q, got, tc.want)
		}
	}
	// A used name: family matches it and the birth name; given the used
	// first name too.
	err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
		u, err := tx.Usager(a.inA)
		if err != nil {
			return err
		}
		u.UsedName, u.UsedFirstName = "Moreau", "Nini"
		return tx.UpdateUsager(&u)
	})
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]uuid.UUID{"family=moreau": {a.inA}, "family=dupont": {a.inA}, "given=nini": {a.inA}, "given=jeanne": {a.inA}} {
		if got := search(q); fmt.Sprint(got) != fmt.Sprint(idStrings(want)) {
			t.Errorf("%s: got %v want %v", q, got, want)
		}
	}
	for _, tc := range []struct{ q, param string }{
		{"nom=dupont", "nom"},
		{"birthdate=12/04/1931", "birthdate"},
		{"birthdate=ge1931-04-12", "birthdate"},
		{"gender=femme", "gender"},
		{"identifier=urn:oid:1.2.3|297022A02077878", "identifier"},
		{"_count=0", "_count"},
		{"_cursor=!!!", "_cursor"},
	} {
		code, out := a.get(tok, "/fhir/Patient?"+tc.q)
		if code != 400 {
			t.Errorf("%s: %d", tc.q, code)
			continue
		}
		if d, expr := diagnostics(t, out); expr != tc.param || d == "" {
			t.Errorf("%s: expression %q diagnostics %q", tc.q, expr, d)
		}
	}
}

// TestPatientPaging follows the next links through 1,000 residents.
func TestPatientPaging(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/Patient.read")
	tok := a.bearer("hopital")
	err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
		for i := range 1000 {
			a.usager(tx, "Résident "+string(rune('A'+i/26/26%26))+string(rune('A'+i/26%26))+string(rune('A'+i%26)), "Jean", "1950-01-01", "M", a.estA)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	path, pages := "/fhir/Patient?_count=100", 0
	for path != "" {
		code, b := a.get(tok, path)
		if code != 200 {
			t.Fatalf("%s: %d %v", path, code, b)
		}
		pages++
		for _, e := range asSlice(b["entry"]) {
			id := e.(map[string]any)["resource"].(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("%s seen twice", id)
			}
			seen[id] = true
		}
		path = ""
		for _, l := range asSlice(b["link"]) {
			if l.(map[string]any)["relation"] == "next" {
				path = strings.TrimPrefix(l.(map[string]any)["url"].(string), a.srv.URL)
			}
		}
	}
	if len(seen) != 1002 || pages != 11 {
		t.Fatalf("%d patients over %d pages, want 1002 over 11", len(seen), pages)
	}
}

func TestCapabilityStatement(t *testing.T) {
	a := newAPI(t)
	code, cs := a.get("", "/fhir/metadata")
	if code != 200 || cs["resourceType"] != "CapabilityStatement" || cs["fhirVersion"] != "4.0.1" {
		t.Fatalf("%d %v", code, cs)
	}
	res := cs["rest"].([]any)[0].(map[string]any)["resource"].([]any)
	var params []string
	for _, r := range res {
		if r.(map[string]any)["type"] == "Patient" {
			for _, p := range r.(map[string]any)["searchParam"].([]any) {
				params = append(params, p.(map[string]any)["name"].(string))
			}
		}
	}
	if fmt.Sprint(params) != "[identifier name family given birthdate gender _id _count _cursor]" {
		t.Fatalf("Patient search parameters %v", params)
	}
	if code, out := a.get("", "/fhir/Basic/1"); code != 404 {
		t.Fatalf("unsupported resource: %d %v", code, out)
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func idStrings(ids []uuid.UUID) []string {
	var out []string
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}
