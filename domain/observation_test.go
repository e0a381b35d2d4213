package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
)

// Ranges and units of every type: refused (not plausible, badly typed),
// needs a confirmation (unusual), accepted (flagged when confirmed), comma
// decimals, glucose in mmol/L stored in g/L, systolic above diastolic.
func TestObservationRangesAndUnits(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	type want int
	const (
		accepted want = iota
		refused
		confirm
	)
	cases := []struct {
		name      string
		in        domain.ObservationInput
		want      want
		field     string  // the field holding the message
		msg       string  // part of the French message
		value     float64 // stored value when accepted
		value2    float64
		flagged   bool
		unit      string
		confirmed bool
	}{
		{name: "weight with a comma", in: domain.ObservationInput{Type: "poids", Value: "72,5"}, want: accepted, value: 72.5, unit: "kg"},
		{name: "weight with a point", in: domain.ObservationInput{Type: "poids", Value: " 68.0 "}, want: accepted, value: 68, unit: "kg"},
		{name: "weight too many decimals", in: domain.ObservationInput{Type: "poids", Value: "72,55"}, want: refused, field: "value", msg: "1 décimale(s) au plus"},
		{name: "weight not plausible", in: domain.ObservationInput{Type: "poids", Value: "725"}, want: refused, field: "value", msg: "725 kg n'est pas une valeur possible"},
		{name: "weight not a number", in: domain.ObservationInput{Type: "poids", Value: "soixante"}, want: refused, field: "value", msg: "saisissez un nombre"},
		{name: "weight in exponent form", in: domain.ObservationInput{Type: "poids", Value: "7e1"}, want: refused, field: "value", msg: "saisissez un nombre"},
		{name: "weight unusual, not confirmed", in: domain.ObservationInput{Type: "poids", Value: "32"}, want: confirm, field: "value", msg: "en dehors des valeurs habituelles (35 à 150 kg)"},
		{name: "weight unusual, confirmed", in: domain.ObservationInput{Type: "poids", Value: "32", Confirmed: true}, want: accepted, value: 32, flagged: true, unit: "kg"},
		{name: "temperature fever to confirm", in: domain.ObservationInput{Type: "temperature", Value: "39,2"}, want: confirm, field: "value", msg: "39,2 °C"},
		{name: "temperature fever confirmed", in: domain.ObservationInput{Type: "temperature", Value: "39,2", Confirmed: true}, want: accepted, value: 39.2, flagged: true, unit: "°C"},
		{name: "temperature impossible even confirmed", in: domain.ObservationInput{Type: "temperature", Value: "47", Confirmed: true}, want: refused, field: "value", msg: "n'est pas une valeur possible"},
		{name: "pulse integer", in: domain.ObservationInput{Type: "pouls", Value: "72"}, want: accepted, value: 72, unit: "/min"},
		{name: "pulse with decimals", in: domain.ObservationInput{Type: "pouls", Value: "72,5"}, want: refused, field: "value", msg: "nombre entier"},
		{name: "pulse trailing zero decimals", in: domain.ObservationInput{Type: "pouls", Value: "72,0"}, want: accepted, value: 72, unit: "/min"},
		{name: "spo2 low to confirm", in: domain.ObservationInput{Type: "spo2", Value: "91"}, want: confirm, field: "value"},
		{name: "spo2 above 100", in: domain.ObservationInput{Type: "spo2", Value: "101"}, want: refused, field: "value"},
		{name: "blood pressure", in: domain.ObservationInput{Type: "tension", Value: "135", Value2: "80"}, want: accepted, value: 135, value2: 80, unit: "mmHg"},
		{name: "blood pressure inverted", in: domain.ObservationInput{Type: "tension", Value: "80", Value2: "135"}, want: refused, field: "value2", msg: "diastolique doit être inférieure"},
		{name: "blood pressure equal", in: domain.ObservationInput{Type: "tension", Value: "90", Value2: "90"}, want: refused, field: "value2"},
		{name: "blood pressure missing diastolic", in: domain.ObservationInput{Type: "tension", Value: "135"}, want: refused, field: "value2", msg: "Diastolique : valeur manquante"},
		{name: "blood pressure high systolic to confirm", in: domain.ObservationInput{Type: "tension", Value: "185", Value2: "90"}, want: confirm, field: "value", msg: "Systolique"},
		{name: "blood pressure high confirmed", in: domain.ObservationInput{Type: "tension", Value: "185", Value2: "90", Confirmed: true}, want: accepted, value: 185, value2: 90, flagged: true, unit: "mmHg"},
		{name: "glucose g/L", in: domain.ObservationInput{Type: "glycemie", Value: "1,25", Unit: "g/L"}, want: accepted, value: 1.25, unit: "g/L"},
		{name: "glucose mmol/L converted", in: domain.ObservationInput{Type: "glycemie", Value: "6,9", Unit: "mmol/L"}, want: accepted, value: 1.24, unit: "mmol/L"},
		{name: "glucose mmol/L hypo to confirm", in: domain.ObservationInput{Type: "glycemie", Value: "3,2", Unit: "mmol/L"}, want: confirm, field: "value", msg: "3,2 mmol/L"},
		{name: "glucose mmol/L not plausible", in: domain.ObservationInput{Type: "glycemie", Value: "45", Unit: "mmol/L"}, want: refused, field: "value", msg: "mmol/L n'est pas une valeur possible"},
		{name: "glucose unknown unit", in: domain.ObservationInput{Type: "glycemie", Value: "1", Unit: "mg/dL"}, want: refused, field: "unit"},
		{name: "pain 0 to 10", in: domain.ObservationInput{Type: "douleur", Value: "2"}, want: accepted, value: 2, unit: "/10"},
		{name: "pain 11", in: domain.ObservationInput{Type: "douleur", Value: "11"}, want: refused, field: "value"},
		{name: "pain decimal", in: domain.ObservationInput{Type: "douleur", Value: "2,5"}, want: refused, field: "value", msg: "nombre entier"},
		{name: "pain 7 to confirm", in: domain.ObservationInput{Type: "douleur", Value: "7"}, want: confirm, field: "value"},
		{name: "algoplus 1", in: domain.ObservationInput{Type: "algoplus", Value: "1"}, want: accepted, value: 1, unit: "/5"},
		{name: "algoplus 3 to confirm", in: domain.ObservationInput{Type: "algoplus", Value: "3"}, want: confirm, field: "value"},
		{name: "algoplus 6", in: domain.ObservationInput{Type: "algoplus", Value: "6", Confirmed: true}, want: refused, field: "value"},
		{name: "unknown type", in: domain.ObservationInput{Type: "cholesterol", Value: "1"}, want: refused, field: "type"},
		{name: "measured in the future", in: domain.ObservationInput{Type: "poids", Value: "70", MeasuredAt: "2026-11-23T12:00"}, want: refused, field: "measured_at", msg: "futur"},
		{name: "measured 3 minutes ahead (clock drift)", in: domain.ObservationInput{Type: "poids", Value: "70", MeasuredAt: "2026-11-23T11:03"}, want: accepted, value: 70, unit: "kg"},
		{name: "measured at a bad date", in: domain.ObservationInput{Type: "poids", Value: "70", MeasuredAt: "31/02/2026 08:00"}, want: refused, field: "measured_at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, err := c.in.Parse(now)
			switch c.want {
			case accepted:
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if o.Value != c.value || o.Value2 != c.value2 || o.Flagged != c.flagged || o.EnteredUnit != c.unit {
					t.Errorf("got %v/%v flagged=%v unit=%q, want %v/%v flagged=%v unit=%q", o.Value, o.Value2, o.Flagged, o.EnteredUnit, c.value, c.value2, c.flagged, c.unit)
				}
			case refused, confirm:
				v, ok := domain.AsValidation(err)
				if !ok {
					t.Fatalf("accepted (%v), want a refusal on %q", o.Value, c.field)
				}
				if !strings.Contains(v.Fields[c.field], c.msg) || v.Fields[c.field] == "" {
					t.Errorf("message on %q = %q, want it to contain %q (all: %v)", c.field, v.Fields[c.field], c.msg, v.Fields)
				}
				if got := domain.NeedsConfirmation(err); got != (c.want == confirm) {
					t.Errorf("NeedsConfirmation = %v", got)
				}
			}
		})
	}
}

func TestObservationDefaultsAndDisplay(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	o, err := domain.ObservationInput{Type: "poids", Value: "72,5", Comment: "  après le repas "}.Parse(now)
	if err != nil || !o.MeasuredAt.Equal(now) || o.Comment != "après le repas" {
		t.Fatalf("defaults: %+v %v", o, err)
	}
	o, err = domain.ObservationInput{Type: "poids", Value: "70", MeasuredAt: "2026-11-20T08:30"}.Parse(now)
	if err != nil || !o.MeasuredAt.Equal(time.Date(2026, 11, 20, 7, 30, 0, 0, time.UTC)) {
		t.Fatalf("measured_at read in Paris: %v %v", o.MeasuredAt, err)
	}
	for _, c := range []struct {
		o    domain.Observation
		want string
	}{
		{domain.Observation{Type: domain.ObsWeight, Value: 72.5}, "72,5 kg"},
		{domain.Observation{Type: domain.ObsWeight, Value: 70}, "70 kg"},
		{domain.Observation{Type: domain.ObsBloodPress, Value: 135, Value2: 80}, "135/80 mmHg"},
		{domain.Observation{Type: domain.ObsGlucose, Value: 1.24, EnteredUnit: "mmol/L"}, "1,24 g/L (6,9 mmol/L saisis)"},
		{domain.Observation{Type: domain.ObsTemperature, Value: 38.0}, "38 °C"},
	} {
		if got := c.o.Display(); got != c.want {
			t.Errorf("Display = %q, want %q", got, c.want)
		}
	}
	if !(domain.Observation{Type: domain.ObsAlgoplus, Value: 2}).PainProbable() || (domain.Observation{Type: domain.ObsAlgoplus, Value: 1}).PainProbable() ||
		(domain.Observation{Type: domain.ObsPain, Value: 5}).PainProbable() {
		t.Error("Algoplus: pain probable from 2")
	}
}

// The one table of types: every type has a unit, a UCUM code, ranges in
// order and a LOINC code (Algoplus a local one).
func TestObservationKindsTable(t *testing.T) {
	loinc := map[domain.ObservationType]string{"poids": "29463-7", "tension": "85354-9", "pouls": "8867-4", "temperature": "8310-5",
		"spo2": "59408-5", "glycemie": "41653-7", "douleur": "72514-3"}
	ucum := map[domain.ObservationType]string{"poids": "kg", "tension": "mm[Hg]", "pouls": "/min", "temperature": "Cel", "spo2": "%", "glycemie": "g/L"}
	for _, k := range domain.ObservationKinds() {
		if k.Label == "" || k.Unit == "" || k.UCUM == "" || len(k.Components) == 0 {
			t.Errorf("%s: incomplete %+v", k.Type, k)
		}
		if want, ok := loinc[k.Type]; ok && (k.LOINC != want || k.Local()) {
			t.Errorf("%s: LOINC %s, want %s", k.Type, k.LOINC, want)
		}
		if want, ok := ucum[k.Type]; ok && k.UCUM != want {
			t.Errorf("%s: UCUM %s, want %s", k.Type, k.UCUM, want)
		}
		for _, c := range k.Components {
			if !(c.Min <= c.Low && c.Low <= c.High && c.High <= c.Max) {
				t.Errorf("%s %s: ranges out of order %+v", k.Type, c.Label, c)
			}
		}
	}
	bp, _ := domain.KindOf(domain.ObsBloodPress)
	if !bp.Pair() || bp.Components[0].LOINC != "8480-6" || bp.Components[1].LOINC != "8462-4" {
		t.Errorf("blood pressure components: %+v", bp.Components)
	}
	if a, _ := domain.KindOf(domain.ObsAlgoplus); !a.Local() {
		t.Error("Algoplus has no LOINC code: local")
	}
	if got := domain.ParsePeriod("nimportequoi"); got != domain.PeriodQuarter {
		t.Errorf("default period %s", got)
	}
}

// Undernutrition criteria: 5 % lost in a month, or 10 % in six months;
// erroneous entries are left out.
func TestCheckWeightLoss(t *testing.T) {
	day := func(n int) time.Time { return time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC).AddDate(0, 0, n) }
	w := func(n int, v float64) domain.Observation {
		return domain.Observation{Type: domain.ObsWeight, Value: v, MeasuredAt: day(n)}
	}
	wrong := w(170, 40)
	wrong.ErroneousAt = day(171)
	for _, c := range []struct {
		name    string
		weights []domain.Observation
		ok      bool
		months  int
		percent float64
	}{
		{"one weighing", []domain.Observation{w(0, 70)}, false, 0, 0},
		{"stable", []domain.Observation{w(0, 70), w(30, 69.5), w(60, 70.2)}, false, 0, 0},
		{"5 % in a month", []domain.Observation{w(0, 70), w(150, 70), w(175, 66.5)}, true, 1, 5},
		{"4 % in a month", []domain.Observation{w(150, 70), w(175, 67.2)}, false, 0, 0},
		{"10 % in six months", []domain.Observation{w(0, 80), w(60, 76), w(120, 74), w(170, 72)}, true, 6, 10},
		{"10 % over more than six months", []domain.Observation{w(0, 80), w(100, 75), w(200, 72)}, false, 0, 0},
		{"an erroneous weighing does not count", []domain.Observation{w(160, 70), wrong}, false, 0, 0},
	} {
		got, ok := domain.CheckWeightLoss(c.weights)
		if ok != c.ok || (ok && (got.Months != c.months || got.Percent != c.percent)) {
			t.Errorf("%s: %+v %v, want %d months %v %%", c.name, got, ok, c.months, c.percent)
		}
	}
	if got, _ := domain.CheckWeightLoss([]domain.Observation{w(0, 70), w(20, 66)}); got.Label() != "Perte de poids de 5,7 % en 1 mois (critère de dénutrition)" {
		t.Errorf("label %q", got.Label())
	}
}
