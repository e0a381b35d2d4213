package fhir_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/relais-dui/relais/domain"
)

// TestPatientHistory: each write keeps a version; _history lists them newest
// first and vread returns each one as it was, with its ETag.
func TestPatientHistory(t *testing.T) {
	a := newAPI(t)
	a.client("accueil", domain.RoleSecretariat, "system/Patient.*")
	a.client("lecteur", domain.RoleSecretariat, "system/Observation.read")
	tok := a.bearer("accueil")

	code, h, created := a.send(http.MethodPost, tok, "/fhir/Patient", newPatient)
	if code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, created)
	}
	id, first := created["id"].(string), strings.Trim(strings.TrimPrefix(h.Get("ETag"), "W/"), `"`)
	if meta := created["meta"].(map[string]any); meta["versionId"] != first {
		t.Errorf("meta.versionId %v, ETag %s", meta["versionId"], first)
	}
	body := strings.Replace(newPatient, `{"resourceType":"Patient",`, `{"resourceType":"Patient","id":"`+id+`",`, 1)
	phones := []string{"04 74 00 00 00", "04 74 11 11 11", "04 74 22 22 22"}
	etag := h.Get("ETag")
	for _, phone := range phones[1:] {
		code, h, out := a.send(http.MethodPut, tok, "/fhir/Patient/"+id, strings.Replace(body, phones[0], phone, 1), "If-Match", etag)
		if code != http.StatusOK {
			t.Fatalf("update: %d %v", code, out)
		}
		etag = h.Get("ETag")
	}

	code, hist := a.get(tok, "/fhir/Patient/"+id+"/_history")
	if code != http.StatusOK || hist["type"] != "history" {
		t.Fatalf("history: %d %v", code, hist)
	}
	entries := hist["entry"].([]any)
	if len(entries) != 3 || hist["total"].(float64) != 3 {
		t.Fatalf("3 versions expected, got %d", len(entries))
	}
	for i, e := range entries {
		e := e.(map[string]any)
		res := e["resource"].(map[string]any)
		if got := res["telecom"].([]any)[0].(map[string]any)["value"]; got != phones[2-i] {
			t.Errorf("entry %d (newest first): phone %v, want %s", i, got, phones[2-i])
		}
		method := e["request"].(map[string]any)["method"]
		if (i == 2) != (method == "POST") {
			t.Errorf("entry %d: method %v (the oldest is the creation)", i, method)
		}
		vid := res["meta"].(map[string]any)["versionId"].(string)
		code, v := a.get(tok, "/fhir/Patient/"+id+"/_history/"+vid)
		if code != http.StatusOK || v["telecom"].([]any)[0].(map[string]any)["value"] != phones[2-i] {
			t.Errorf("vread %s: %d %v", vid, code, v)
		}
	}
	if vid := entries[2].(map[string]any)["resource"].(map[string]any)["meta"].(map[string]any)["versionId"]; vid != first {
		t.Errorf("the oldest version is the creation's ETag %s, got %v", first, vid)
	}

	for _, tc := range []struct {
		name, token, path string
		code              int
	}{
		{"unknown version", tok, "/fhir/Patient/" + id + "/_history/123", http.StatusNotFound},
		{"not an id", tok, "/fhir/Patient/xyz/_history", http.StatusNotFound},
		{"another establishment's person", tok, "/fhir/Patient/" + a.inB.String() + "/_history", http.StatusNotFound},
		{"no Patient scope", a.bearer("lecteur"), "/fhir/Patient/" + id + "/_history", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := a.get(tc.token, tc.path)
			if code != tc.code {
				t.Fatalf("%d, want %d: %v", code, tc.code, out)
			}
			diagnostics(t, out)
		})
	}
	if n := a.count(`SELECT count(*) FROM access_trail WHERE username = 'client:accueil' AND detail LIKE '%historique%'`); n < 4 {
		t.Errorf("history reads traced: %d", n)
	}
}
