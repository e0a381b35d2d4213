package fhir_test

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

func newObservation(usager uuid.UUID, at time.Time) string {
	return `{"resourceType":"Observation","status":"final",
 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
 "code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Poids"}]},
 "subject":{"reference":"Patient/` + usager.String() + `"},
 "effectiveDateTime":"` + at.Format(time.RFC3339) + `",
 "valueQuantity":{"value":61.4,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"},
 "note":[{"text":"Pesée du matin"}]}`
}

const newBloodPressure = `{"resourceType":"Observation","status":"final",
 "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
 "subject":{"reference":"Patient/USAGER"},
 "component":[
  {"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":SYS,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
  {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":135,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}`

func TestObservationCreate(t *testing.T) {
	a := newAPI(t)
	a.client("labo", domain.RoleInfirmier, "system/Observation.*")
	a.client("educ", domain.RoleEducateur, "system/Observation.*")
	a.client("lecteur", domain.RoleInfirmier, "system/Observation.read")
	tok := a.bearer("labo")
	at := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
	good := newObservation(a.inA, at)
	bp := strings.Replace(newBloodPressure, "USAGER", a.inA.String(), 1)

	before := a.count(`SELECT count(*) FROM observations`)
	for _, tc := range []struct {
		name, token, body string
		code              int
		path              string
	}{
		{"malformed JSON", tok, `{"resourceType":"Observation",`, 400, ""},
		{"wrong resourceType", tok, strings.Replace(good, `"Observation"`, `"Patient"`, 1), 400, "Observation.resourceType"},
		{"unknown element", tok, strings.Replace(good, `"status"`, `"valeur":1,"status"`, 1), 400, "Observation.valeur"},
		{"wrong unit", tok, strings.Replace(good, `"code":"kg"`, `"code":"[lb_av]"`, 1), 400, "Observation.valueQuantity.code"},
		{"unit outside UCUM", tok, strings.Replace(good, `"system":"http://unitsofmeasure.org"`, `"system":"urn:livres"`, 1), 400, "Observation.valueQuantity.system"},
		{"impossible value", tok, strings.Replace(good, `"value":61.4`, `"value":614`, 1), 400, "Observation.valueQuantity.value"},
		{"too many decimals", tok, strings.Replace(good, `"value":61.4`, `"value":61.45`, 1), 400, "Observation.valueQuantity.value"},
		{"unusual value without interpretation", tok, strings.Replace(good, `"value":61.4`, `"value":31`, 1), 400, "Observation.interpretation"},
		{"unsupported code", tok, strings.Replace(good, `"29463-7"`, `"8302-2"`, 1), 400, "Observation.code"},
		{"no value", tok, strings.Replace(good, `"valueQuantity"`, `"valueString":"x","_v"`, 1), 400, "Observation._v"},
		{"future time", tok, newObservation(a.inA, time.Now().Add(time.Hour)), 400, "Observation.effectiveDateTime"},
		{"time without zone", tok, strings.Replace(good, at.Format(time.RFC3339), at.Format("2006-01-02T15:04:05"), 1), 400, "Observation.effectiveDateTime"},
		{"diastolic above systolic", tok, strings.Replace(bp, "SYS", "120", 1), 400, "Observation.component[1].valueQuantity.value"},
		{"person of B", tok, newObservation(a.inB, at), 400, "Observation.subject"},
		{"value of the wrong type", tok, strings.Replace(good, `"status"`, `"focus":{"reference":"x"},"status"`, 1), 400, "Observation.focus"},
		{"no subject", tok, strings.Replace(good, `"subject":{"reference":"Patient/`+a.inA.String()+`"},`, "", 1), 400, "Observation.subject"},
		{"role without care write", a.bearer("educ"), good, 403, ""},
		{"read-only scope", a.bearer("lecteur"), good, 403, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, out := a.send(http.MethodPost, tc.token, "/fhir/Observation", tc.body)
			if code != tc.code {
				t.Fatalf("%d %v", code, out)
			}
			if d, expr := diagnostics(t, out); expr != tc.path || d == "" {
				t.Fatalf("expression %q (want %q), diagnostics %q", expr, tc.path, d)
			}
		})
	}
	if a.count(`SELECT count(*) FROM observations`) != before {
		t.Fatal("a refused Observation was stored")
	}

	code, h, created := a.send(http.MethodPost, tok, "/fhir/Observation", good)
	if code != http.StatusCreated || !strings.Contains(h.Get("Location"), "/fhir/Observation/") || created["effectiveDateTime"] != at.Format(time.RFC3339) {
		t.Fatalf("create: %d %v %v", code, h, created)
	}
	if n := a.count(`SELECT count(*) FROM observations WHERE id = ? AND usager_id = ? AND establishment_id = ? AND value = 61.4 AND author_name LIKE 'Partenaire labo%'`,
		created["id"], a.inA, a.estA); n != 1 {
		t.Errorf("stored observation: %d", n)
	}
	code, _, created = a.send(http.MethodPost, tok, "/fhir/Observation", strings.Replace(strings.Replace(bp, "SYS", "182", 1), `"component"`,
		`"interpretation":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation","code":"H"}]}],"component"`, 1))
	if code != http.StatusCreated || created["interpretation"] == nil {
		t.Fatalf("an unusual blood pressure the partner flags: %d %v", code, created)
	}
	glucose := strings.NewReplacer(`"29463-7"`, `"41653-7"`, `"value":61.4`, `"value":6.9`, `"unit":"kg"`, `"unit":"mmol/L"`, `"code":"kg"`, `"code":"mmol/L"`).Replace(good)
	code, _, created = a.send(http.MethodPost, tok, "/fhir/Observation", glucose)
	if q, _ := created["valueQuantity"].(map[string]any); code != http.StatusCreated || q["value"].(float64) != 1.24 || q["code"] != "g/L" {
		t.Fatalf("a glucose in mmol/L, stored in g/L: %d %v", code, created)
	}
	if n := a.count(`SELECT count(*) FROM access_trail WHERE username = 'client:labo' AND action = 'write' AND section = 'care' AND usager_id = ?`, a.inA); n != 3 {
		t.Errorf("writes traced: %d, want 3", n)
	}
}

// Observation search by code and date.
func TestObservationSearch(t *testing.T) {
	a := newAPI(t)
	a.client("hopital", domain.RoleMedecin, "system/*.read")
	tok := a.bearer("hopital")
	day := domain.ParisDay(time.Now()).AddDate(0, 0, -10)
	at := func(d int) string { return day.AddDate(0, 0, d).Format("2006-01-02") }
	paris := func(d, h, m int) time.Time {
		t := day.AddDate(0, 0, d)
		return time.Date(t.Year(), t.Month(), t.Day(), h, m, 0, 0, domain.Paris())
	}
	err := a.db.InTenant(context.Background(), a.org, func(tx *store.Tx) error {
		var batch []domain.Observation
		for i, in := range []domain.ObservationInput{
			{Type: "poids", Value: "61,4", MeasuredAt: at(0) + "T09:00"},
			{Type: "poids", Value: "61", MeasuredAt: at(5) + "T09:00"},
			{Type: "tension", Value: "130", Value2: "80", MeasuredAt: at(5) + "T10:00"},
			{Type: "algoplus", Value: "1", MeasuredAt: at(6) + "T10:00"},
		} {
			o, err := in.Parse(time.Now())
			if err != nil {
				t.Fatalf("%d: %v", i, err)
			}
			o.UsagerID, o.EstablishmentID, o.AuthorID, o.AuthorName = a.inA, a.estA, uuid.New(), "AS Test"
			batch = append(batch, o)
		}
		return tx.SaveObservations(batch)
	})
	if err != nil {
		t.Fatal(err)
	}
	p := "/fhir/Observation?patient=" + a.inA.String()
	for _, tc := range []struct {
		query string
		code  int
		total int
		param string
	}{
		{"", 200, 4, ""},
		{"&code=29463-7", 200, 2, ""},
		{"&code=" + url.QueryEscape("http://loinc.org|85354-9"), 200, 1, ""},
		{"&code=29463-7,85354-9", 200, 3, ""},
		{"&code=" + url.QueryEscape(domain.LocalCodeSystem+"|ALGOPLUS"), 200, 1, ""},
		{"&code=" + url.QueryEscape("http://loinc.org|ALGOPLUS"), 200, 0, ""},
		{"&code=8302-2", 200, 0, ""},
		{"&date=" + at(5), 200, 2, ""},
		{"&date=ge" + at(5), 200, 3, ""},
		{"&date=gt" + at(5), 200, 1, ""},
		{"&date=lt" + at(5), 200, 1, ""},
		{"&date=le" + at(5), 200, 3, ""},
		{"&date=ne" + at(5), 200, 2, ""},
		{"&date=gt" + at(0) + "&code=29463-7,ALGOPLUS", 200, 2, ""},
		{"&date=ge" + at(1) + "&date=lt" + at(6) + "&code=29463-7", 200, 1, ""},
		{"&date=" + url.QueryEscape(paris(5, 9, 0).Format(time.RFC3339)), 200, 1, ""}, // the instant of the weighing
		{"&date=" + url.QueryEscape(paris(5, 9, 1).Format(time.RFC3339)), 200, 0, ""},
		{"&date=ge" + url.QueryEscape(paris(5, 9, 30).Format(time.RFC3339)), 200, 2, ""},
		{"&code=" + url.QueryEscape("http://snomed.info/sct|27113001"), 400, 0, "code"},
		{"&code=", 400, 0, "code"},
		{"&date=hier", 400, 0, "date"},
		{"&date=xx2026-01-01", 400, 0, "date"},
		{"&value-quantity=61", 400, 0, "value-quantity"},
	} {
		code, b := a.get(tok, p+tc.query)
		if code != tc.code {
			t.Errorf("%s: %d %v", tc.query, code, b)
			continue
		}
		if code == 200 && b["total"].(float64) != float64(tc.total) {
			t.Errorf("%s: %v results, want %d", tc.query, b["total"], tc.total)
		}
		if code == 400 {
			if _, expr := diagnostics(t, b); expr != tc.param {
				t.Errorf("%s: expression %q", tc.query, expr)
			}
		}
	}
}
