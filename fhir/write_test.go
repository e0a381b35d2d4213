package fhir_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/fhir"
)

func (a *api) send(method, token, path, body string, header ...string) (int, http.Header, map[string]any) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/fhir+json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		a.t.Fatalf("%s %s: %v: %s", method, path, err, b)
	}
	if err := fhir.ValidateFHIR(b); err != nil {
		a.t.Errorf("%s %s answered invalid FHIR: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, out
}

const newPatient = `{"resourceType":"Patient",
 "extension":[{"url":"https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-birth-list-given-name","valueString":"Louise Anne"},
  {"url":"http://hl7.org/fhir/StructureDefinition/patient-birthPlace","valueAddress":{"extension":[{"url":"https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code","valueCoding":{"code":"69123"}}]}}],
 "identifier":[{"system":"urn:oid:1.2.250.1.213.1.4.8","value":"297022A02077878"}],
 "name":[{"use":"official","family":"Bernard","given":["Louise","Anne"]}],
 "gender":"female","birthDate":"1935-07-14",
 "address":[{"line":["4 rue de la Gare"],"postalCode":"69400","city":"Villefranche-sur-Saône"}],
 "telecom":[{"system":"phone","value":"04 74 00 00 00"}]}`

func TestPatientWrite(t *testing.T) {
	a := newAPI(t)
	a.client("accueil", domain.RoleSecretariat, "system/Patient.*")
	a.client("hopital", domain.RoleMedecin, "system/Patient.*")
	tok := a.bearer("accueil")

	before := a.count(`SELECT count(*) FROM usagers`)
	for _, tc := range []struct {
		name, body, path string
	}{
		{"malformed JSON", `{"resourceType":"Patient",`, ""},
		{"wrong resourceType", `{"resourceType":"Observation","name":[{"family":"X","given":["Y"]}]}`, "Patient.resourceType"},
		{"unknown element", strings.Replace(newPatient, `"gender"`, `"sexe":"F","gender"`, 1), "Patient.sexe"},
		{"invalid NIR key", strings.Replace(newPatient, "297022A02077878", "297022A02077877", 1), "Patient.identifier[0].value"},
		{"no birth name", strings.Replace(newPatient, `"family":"Bernard",`, "", 1), "Patient.name[official].family"},
		{"future birth date", strings.Replace(newPatient, "1935-07-14", "2035-07-14", 1), "Patient.birthDate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, out := a.send(http.MethodPost, tok, "/fhir/Patient", tc.body)
			if code != http.StatusBadRequest {
				t.Fatalf("%d %v", code, out)
			}
			if d, expr := diagnostics(t, out); expr != tc.path || d == "" {
				t.Fatalf("expression %q (want %q), diagnostics %q", expr, tc.path, d)
			}
		})
	}
	if a.count(`SELECT count(*) FROM usagers`) != before {
		t.Fatal("a refused Patient was stored")
	}
	if code, _, _ := a.send(http.MethodPost, a.bearer("hopital"), "/fhir/Patient", newPatient); code != http.StatusForbidden {
		t.Fatalf("a doctor's client (no admin write) creating: %d", code)
	}

	code, h, created := a.send(http.MethodPost, tok, "/fhir/Patient", newPatient)
	if code != http.StatusCreated || !strings.Contains(h.Get("Location"), "/fhir/Patient/") || h.Get("ETag") == "" {
		t.Fatalf("create: %d %v %v", code, h, created)
	}
	id := created["id"].(string)
	if created["identifier"] != nil {
		t.Errorf("a created identity is provisional: no INS expected, got %v", created["identifier"])
	}
	if n := a.count(`SELECT count(*) FROM stays WHERE usager_id = ? AND status = 'preadmission' AND establishment_id = ?`, id, a.estA); n != 1 {
		t.Errorf("pre-admission in the client's establishment: %d", n)
	}
	if code, _, out := a.send(http.MethodPost, tok, "/fhir/Patient", newPatient); code != http.StatusConflict {
		t.Errorf("the same person again: %d %v", code, out)
	}

	// Update: the read's ETag, then a stale one.
	code, h, _ = a.send(http.MethodGet, tok, "/fhir/Patient/"+id, "")
	etag := h.Get("ETag")
	if code != 200 || etag == "" {
		t.Fatalf("read: %d etag %q", code, etag)
	}
	changed := strings.Replace(newPatient, `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"`+id+`",`, 1)
	changed = strings.Replace(changed, "04 74 00 00 00", "04 74 11 11 11", 1)
	code, h2, out := a.send(http.MethodPut, tok, "/fhir/Patient/"+id, changed, "If-Match", etag)
	if code != http.StatusOK || h2.Get("ETag") == etag || out["telecom"].([]any)[0].(map[string]any)["value"] != "04 74 11 11 11" {
		t.Fatalf("update: %d %v %v", code, h2.Get("ETag"), out)
	}
	if code, _, out := a.send(http.MethodPut, tok, "/fhir/Patient/"+id, changed, "If-Match", etag); code != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %d %v", code, out)
	}
	if code, _, _ := a.send(http.MethodPut, tok, "/fhir/Patient/"+a.inA.String(), changed); code != http.StatusBadRequest {
		t.Fatalf("id of the body and of the URL differ: %d", code)
	}
	if code, _, _ := a.send(http.MethodPut, tok, "/fhir/Patient/"+a.inB.String(), strings.Replace(changed, id, a.inB.String(), 1)); code != http.StatusNotFound {
		t.Fatalf("update of another establishment's person: %d", code)
	}
	if n := a.count(`SELECT count(*) FROM access_trail WHERE username = 'client:accueil' AND action = 'write'`); n != 2 {
		t.Errorf("writes traced: %d, want 2", n)
	}
}
