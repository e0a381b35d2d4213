package frontend_test

import (
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// raw GETs a path and returns the status, the content type and the body.
func (c *client) raw(path string) (int, string, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

// observations reads the usager's stored entries, oldest first.
func (w *world) observations(usager uuid.UUID) []domain.Observation {
	w.t.Helper()
	var out []domain.Observation
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error {
		var err error
		out, err = tx.Observations(domain.ObservationQuery{UsagerID: usager, IncludeErroneous: true})
		return err
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// The entry form: an impossible value is refused beside its field with a
// French message and nothing is stored (not even the valid values typed
// with it); an unusual value asks for its confirmation box, then is stored
// flagged; comma decimals and glucose in mmol/L are accepted; the page
// shows the latest values; every read and write is traced; rights follow
// the care section.
func TestObservationEntryRangesAndConfirmation(t *testing.T) {
	w := newWorld(t)
	page := "/usagers/" + w.resident.String() + "/constantes"
	as := w.login("u.aide_soignant")
	if code, body := as.get(page); code != http.StatusOK || !strings.Contains(body, `id="poids_value"`) || !strings.Contains(body, `inputmode="decimal"`) ||
		!strings.Contains(body, "Aucune constante enregistrée pour cette personne.") {
		t.Fatalf("constantes page of a person without values: %d", code)
	}

	cases := []struct {
		name   string
		form   url.Values
		code   int
		within []string // fragments of the answer
		stored int      // rows after the post
	}{
		{"nothing typed", url.Values{}, http.StatusUnprocessableEntity, []string{`id="values-error"`, "Saisissez au moins une valeur."}, 0},
		{"impossible weight", url.Values{"poids_value": {"725"}, "pouls_value": {"72"}}, http.StatusUnprocessableEntity,
			[]string{`id="poids_value-error"`, "725 kg n&#39;est pas une valeur possible", `aria-invalid="true" aria-describedby="poids_value-error"`, `value="725"`}, 0},
		{"diastolic above systolic", url.Values{"tension_value": {"80"}, "tension_value2": {"120"}}, http.StatusUnprocessableEntity,
			[]string{`id="tension_value2-error"`, "La pression diastolique doit être inférieure à la systolique."}, 0},
		{"fever without confirmation", url.Values{"temperature_value": {"39,2"}, "poids_value": {"72,5"}}, http.StatusUnprocessableEntity,
			[]string{`id="temperature_value-error"`, "en dehors des valeurs habituelles", `id="temperature_confirm"`, "Je confirme cette valeur inhabituelle (Température)"}, 0},
		{"measured in the future", url.Values{"poids_value": {"72,5"}, "measured_at": {time.Now().Add(2 * time.Hour).In(domain.Paris()).Format("2006-01-02T15:04")}},
			http.StatusUnprocessableEntity, []string{`id="measured_at-error"`, "futur"}, 0},
		{"fever confirmed, weight with a comma, glucose in mmol/L", url.Values{"temperature_value": {"39,2"}, "temperature_confirm": {"1"}, "poids_value": {"72,5"},
			"glycemie_value": {"6,9"}, "glycemie_unit": {"mmol/L"}, "comment": {"frissons"}}, http.StatusSeeOther, nil, 3},
	}
	for _, c := range cases {
		code, body := as.post(page, c.form)
		if code != c.code {
			t.Fatalf("%s: %d, want %d", c.name, code, c.code)
		}
		for _, f := range c.within {
			if !strings.Contains(body, f) {
				t.Errorf("%s: answer misses %q", c.name, f)
			}
		}
		if c.code == http.StatusUnprocessableEntity && strings.Contains(body, `id="temperature_confirm"`) != (c.name == "fever without confirmation") {
			t.Errorf("%s: the confirmation box shows only when asked", c.name)
		}
		if n := len(w.observations(w.resident)); n != c.stored {
			t.Fatalf("%s: %d rows stored, want %d", c.name, n, c.stored)
		}
	}
	byType := map[domain.ObservationType]domain.Observation{}
	for _, o := range w.observations(w.resident) {
		byType[o.Type] = o
	}
	if o := byType[domain.ObsTemperature]; o.Value != 39.2 || !o.Flagged || o.Comment != "frissons" || o.AuthorName == "" || o.EstablishmentID != w.ehpad {
		t.Errorf("temperature stored: %+v", o)
	}
	if o := byType[domain.ObsWeight]; o.Value != 72.5 || o.Flagged {
		t.Errorf("weight stored: %+v", o)
	}
	if o := byType[domain.ObsGlucose]; o.Value != 1.24 || o.EnteredUnit != "mmol/L" {
		t.Errorf("glucose stored: %+v", o)
	}
	_, body := as.get(page + "?ok=constantes")
	for _, f := range []string{"Les constantes ont été enregistrées.", "72,5 kg", "39,2 °C", "Hors valeurs habituelles (confirmée)", "1,24 g/L (6,9 mmol/L saisis)",
		`aria-current="page">Constantes`, `role="img"`} {
		if !strings.Contains(body, f) {
			t.Errorf("constantes page misses %q", f)
		}
	}
	if n := w.count("access_trail WHERE detail LIKE 'constantes%' AND action = 'write' AND section = 'care'"); n != 1 {
		t.Errorf("writes traced: %d", n)
	}
	if n := w.count("access_trail WHERE detail = 'constantes' AND action = 'read'"); n < 2 {
		t.Errorf("reads traced: %d", n)
	}

	// Care read only (director): the values, no form, no write.
	dir := w.login("u.directeur")
	if code, body := dir.get(page); code != http.StatusOK || strings.Contains(body, `id="poids_value"`) || !strings.Contains(body, "72,5 kg") {
		t.Errorf("director reads the constantes without the form: %d", code)
	}
	if code, _ := dir.post(page, url.Values{"poids_value": {"70"}}); code != http.StatusForbidden {
		t.Errorf("director enters a weight: %d", code)
	}
	// No care right (educator): nothing.
	educ := w.login("u.educateur")
	for _, p := range []string{page, page + "/poids", page + "/poids/graphique.svg"} {
		if code, _ := educ.get(p); code != http.StatusForbidden {
			t.Errorf("educator GET %s: %d", p, code)
		}
	}
	if code, _ := as.get(page + "/cholesterol"); code != http.StatusNotFound {
		t.Errorf("unknown type: %d", code)
	}
}

// The chart renders for a usager with a year of weights: 365 points in a
// well-formed SVG served as image/svg+xml, the months of the year as
// ticks, and the values in the accessible table of the page.
func TestObservationChartForAYearOfWeights(t *testing.T) {
	w := newWorld(t)
	now := time.Now()
	start := now.AddDate(-1, 0, 1)
	var obs []domain.Observation
	for i := 0; i < 365; i++ {
		obs = append(obs, domain.Observation{UsagerID: w.resident, EstablishmentID: w.ehpad, Type: domain.ObsWeight, Value: 68 + float64(i%30)/10,
			EnteredUnit: "kg", MeasuredAt: start.AddDate(0, 0, i).Add(-time.Hour), AuthorID: uuid.New(), AuthorName: "IDE", Flagged: i == 200})
	}
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error { return tx.SaveObservations(obs) })
	if err != nil {
		t.Fatal(err)
	}
	nurse := w.login("u.infirmier")
	base := "/usagers/" + w.resident.String() + "/constantes/poids"
	code, ctype, svg := nurse.raw(base + "/graphique.svg?periode=1a")
	if code != http.StatusOK || !strings.HasPrefix(ctype, "image/svg+xml") {
		t.Fatalf("graphique.svg: %d %s", code, ctype)
	}
	var circles, flags, polylines, pairs int
	var ticks []string
	inTick := false
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			attrs := map[string]string{}
			for _, a := range e.Attr {
				attrs[a.Name.Local] = a.Value
			}
			switch e.Name.Local {
			case "svg":
				if attrs["role"] != "img" || e.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("svg element: %v", attrs)
				}
			case "circle":
				circles++
				if strings.Contains(attrs["class"], "flag") {
					flags++
				}
			case "polyline":
				polylines++
				pairs = len(strings.Fields(attrs["points"]))
			case "text":
				inTick = attrs["class"] == "xtick"
			}
		case xml.CharData:
			if inTick && strings.TrimSpace(string(e)) != "" {
				ticks = append(ticks, strings.TrimSpace(string(e)))
				inTick = false
			}
		}
	}
	if circles != 365 || polylines != 1 || pairs != 365 || flags != 1 {
		t.Errorf("chart of a year: %d points, %d lines of %d points, %d flagged; want 365, 1 of 365, 1", circles, polylines, pairs, flags)
	}
	// The ticks are the first days of the months within the year.
	months := []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}
	var want []string
	from := now.AddDate(-1, 0, 0).In(domain.Paris())
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, domain.Paris()); !m.After(now); m = m.AddDate(0, 1, 0) {
		if !m.Before(from) {
			want = append(want, months[m.Month()-1])
		}
	}
	if strings.Join(ticks, " ") != strings.Join(want, " ") {
		t.Errorf("date ticks %q, want the months of the year %q", ticks, want)
	}
	if !strings.Contains(svg, "<title id=\"chart-poids-title\">Poids — 1 an</title>") || !strings.Contains(svg, "365 valeurs du") {
		t.Errorf("title and description missing")
	}

	_, page := nurse.get(base + "?periode=1a")
	if !strings.Contains(page, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"`) || !strings.Contains(page, "Valeurs (1 an)") {
		t.Fatal("the page misses the inline chart or its table")
	}
	if n := strings.Count(page, " kg</td>"); n != 365 {
		t.Errorf("table rows: %d, want 365", n)
	}
	if !strings.Contains(page, `aria-current="page">1 an</a>`) {
		t.Error("the period is not marked current")
	}
	// One month: about 30 points.
	_, _, month := nurse.raw(base + "/graphique.svg?periode=1m")
	if n := strings.Count(month, "<circle"); n < 28 || n > 31 {
		t.Errorf("a month of weights: %d points", n)
	}
	if n := w.count("access_trail WHERE detail LIKE 'constantes : Poids%' AND action = 'read'"); n != 3 {
		t.Errorf("chart reads traced: %d, want 3", n)
	}
}

// An erroneous entry is marked with a reason (refused without), kept in the
// table, left out of the chart and of the latest values; only its author
// or a care validator may mark it, once.
func TestObservationMarkedErroneous(t *testing.T) {
	w := newWorld(t)
	page := "/usagers/" + w.resident.String() + "/constantes"
	nurse := w.login("u.infirmier")
	if code, _ := nurse.post(page, url.Values{"poids_value": {"32"}, "poids_confirm": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("nurse enters a confirmed unusual weight: %d", code)
	}
	o := w.observations(w.resident)[0]
	mark := page + "/" + o.ID.String() + "/erronee"
	as := w.login("u.aide_soignant")
	if code, _ := as.post(mark, url.Values{"reason": {"pas à moi"}}); code != http.StatusForbidden {
		t.Errorf("aide-soignant marks another's entry: %d", code)
	}
	code, body := nurse.post(mark+"?periode=1m", url.Values{"reason": {"  "}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="reason-`+o.ID.String()+`-error"`) || !strings.Contains(body, "Indiquez pourquoi cette saisie est erronée.") {
		t.Fatalf("mark without a reason: %d", code)
	}
	if w.observations(w.resident)[0].Erroneous() {
		t.Fatal("marked without a reason")
	}
	if code, _ := nurse.post(mark, url.Values{"reason": {"32 au lieu de 72"}}); code != http.StatusSeeOther {
		t.Fatalf("nurse marks: %d", code)
	}
	if code, _ := nurse.post(mark, url.Values{"reason": {"encore"}}); code != http.StatusConflict {
		t.Errorf("second mark: %d, want 409", code)
	}
	got := w.observations(w.resident)
	if len(got) != 1 || !got[0].Erroneous() || got[0].ErroneousReason != "32 au lieu de 72" {
		t.Fatalf("the entry is kept, marked: %+v", got)
	}
	_, body = nurse.get(page + "/poids?ok=erronee")
	if !strings.Contains(body, "<del>32 kg</del>") || !strings.Contains(body, "32 au lieu de 72") || !strings.Contains(body, "Aucune valeur sur la période.") {
		t.Error("the series page: the entry struck out in the table and absent from the chart")
	}
	if _, body := nurse.get(page); strings.Contains(body, "32 kg") {
		t.Error("an erroneous entry shows as the latest value")
	}
	// An entry of another usager cannot be reached through this record.
	other := "/usagers/" + w.insiOne.String() + "/constantes/" + o.ID.String() + "/erronee"
	if code, _ := nurse.post(other, url.Values{"reason": {"x"}}); code != http.StatusNotFound {
		t.Errorf("entry through another record: %d", code)
	}
	if n := w.count("access_trail WHERE detail LIKE 'constante marquée erronée%'"); n != 1 {
		t.Errorf("marking traced: %d", n)
	}
}

// A loss of 5 % of the weight in a month shows as an undernutrition alert.
func TestObservationWeightLossAlert(t *testing.T) {
	w := newWorld(t)
	now := time.Now()
	var obs []domain.Observation
	for i, v := range []float64{70, 69, 66} {
		obs = append(obs, domain.Observation{UsagerID: w.resident, EstablishmentID: w.ehpad, Type: domain.ObsWeight, Value: v, EnteredUnit: "kg",
			MeasuredAt: now.AddDate(0, 0, -20+10*i).Add(-time.Hour), AuthorID: uuid.New(), AuthorName: "AS"})
	}
	err := w.db.InTenant(context.Background(), w.org, func(tx *store.Tx) error { return tx.SaveObservations(obs) })
	if err != nil {
		t.Fatal(err)
	}
	_, body := w.login("u.aide_soignant").get("/usagers/" + w.resident.String() + "/constantes")
	if !strings.Contains(body, "Perte de poids de 5,7 % en 1 mois (critère de dénutrition)") {
		t.Error("the weight loss alert is missing")
	}
}
