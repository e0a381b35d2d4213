package domain

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Observations (constantes): weight, blood pressure, pulse, temperature,
// SpO2, capillary glucose and pain scores. Each type has one entry in
// observationKinds: its units (as shown and UCUM), its LOINC codes for the
// FHIR export, a plausible range (outside: a typing error, refused) and a
// usual range (outside: stored only once the user confirms it, then
// flagged). An erroneous entry is marked, never deleted.

// ObservationType is the code of a kind of observation (also its URL part).
type ObservationType string

// Observation types.
const (
	ObsWeight      ObservationType = "poids"
	ObsBloodPress  ObservationType = "tension"
	ObsPulse       ObservationType = "pouls"
	ObsTemperature ObservationType = "temperature"
	ObsSpO2        ObservationType = "spo2"
	ObsGlucose     ObservationType = "glycemie"
	ObsPain        ObservationType = "douleur"
	ObsAlgoplus    ObservationType = "algoplus"
)

// ObservationComponent is one measured value of a type (blood pressure has
// two): its code and its ranges, in the canonical unit.
type ObservationComponent struct {
	Label    string
	LOINC    string  // LOINC code, or a local code when LOINC has none
	Min, Max float64 // plausible: outside is refused
	Low      float64 // usual range: outside needs a confirmation
	High     float64
}

// ObservationKind describes a type of observation.
type ObservationKind struct {
	Type       ObservationType
	Label      string // French name
	Unit       string // canonical unit as shown
	UCUM       string // canonical unit, UCUM code
	LOINC      string // code of the observation (the panel for blood pressure)
	Decimals   int    // digits allowed after the comma
	Components []ObservationComponent
	Hint       string // shown beside the entry field
}

// LocalCodeSystem holds the codes of observations LOINC has no code for.
const LocalCodeSystem = "https://relais-dui.fr/CodeSystem/observation"

// GlucoseMmolPerGram converts a glucose concentration in g/L to mmol/L
// (molar mass of glucose 180.16 g/mol).
const GlucoseMmolPerGram = 1000 / 180.16

// AlgoplusPainThreshold is the Algoplus score from which pain is probable.
const AlgoplusPainThreshold = 2

// observationKinds is the one table of observation types, in display order.
// Usual ranges are those of an adult, checked with the care teams; they
// trigger a confirmation, not a diagnosis.
var observationKinds = []ObservationKind{
	{Type: ObsWeight, Label: "Poids", Unit: "kg", UCUM: "kg", LOINC: "29463-7", Decimals: 1,
		Components: []ObservationComponent{{Label: "Poids", LOINC: "29463-7", Min: 20, Max: 250, Low: 35, High: 150}}},
	{Type: ObsBloodPress, Label: "Tension artérielle", Unit: "mmHg", UCUM: "mm[Hg]", LOINC: "85354-9", Decimals: 0,
		Components: []ObservationComponent{
			{Label: "Systolique", LOINC: "8480-6", Min: 50, Max: 260, Low: 90, High: 160},
			{Label: "Diastolique", LOINC: "8462-4", Min: 20, Max: 160, Low: 50, High: 95}},
		Hint: "Systolique / diastolique"},
	{Type: ObsPulse, Label: "Pouls", Unit: "/min", UCUM: "/min", LOINC: "8867-4", Decimals: 0,
		Components: []ObservationComponent{{Label: "Pouls", LOINC: "8867-4", Min: 20, Max: 250, Low: 50, High: 100}}},
	{Type: ObsTemperature, Label: "Température", Unit: "°C", UCUM: "Cel", LOINC: "8310-5", Decimals: 1,
		Components: []ObservationComponent{{Label: "Température", LOINC: "8310-5", Min: 30, Max: 44, Low: 35.5, High: 38}}},
	{Type: ObsSpO2, Label: "Saturation en oxygène (SpO2)", Unit: "%", UCUM: "%", LOINC: "59408-5", Decimals: 0,
		Components: []ObservationComponent{{Label: "SpO2", LOINC: "59408-5", Min: 50, Max: 100, Low: 94, High: 100}}},
	{Type: ObsGlucose, Label: "Glycémie capillaire", Unit: "g/L", UCUM: "g/L", LOINC: "41653-7", Decimals: 2,
		Components: []ObservationComponent{{Label: "Glycémie", LOINC: "41653-7", Min: 0.10, Max: 6, Low: 0.70, High: 2.50}},
		Hint:       "En g/L ou en mmol/L (unité à choisir)"},
	{Type: ObsPain, Label: "Douleur (EVA / EN)", Unit: "/10", UCUM: "{score}", LOINC: "72514-3", Decimals: 0,
		Components: []ObservationComponent{{Label: "Douleur", LOINC: "72514-3", Min: 0, Max: 10, Low: 0, High: 3}},
		Hint:       "De 0 (pas de douleur) à 10"},
	{Type: ObsAlgoplus, Label: "Douleur (Algoplus)", Unit: "/5", UCUM: "{score}", LOINC: "ALGOPLUS", Decimals: 0,
		Components: []ObservationComponent{{Label: "Algoplus", LOINC: "ALGOPLUS", Min: 0, Max: 5, Low: 0, High: AlgoplusPainThreshold - 1}},
		Hint:       "De 0 à 5 : douleur probable à partir de 2"},
}

// ObservationKinds lists the types in display order.
func ObservationKinds() []ObservationKind { return append([]ObservationKind{}, observationKinds...) }

// KindOf finds the kind of a type.
func KindOf(t ObservationType) (ObservationKind, bool) {
	for _, k := range observationKinds {
		if k.Type == t {
			return k, true
		}
	}
	return ObservationKind{}, false
}

// Label is the French name of the type.
func (t ObservationType) Label() string {
	if k, ok := KindOf(t); ok {
		return k.Label
	}
	return string(t)
}

// Local is true when the kind has no LOINC code (its code is in LocalCodeSystem).
func (k ObservationKind) Local() bool { return !strings.Contains(k.LOINC, "-") }

// Pair is true for the types entered as two values (blood pressure).
func (k ObservationKind) Pair() bool { return len(k.Components) == 2 }

// Units are the units an entry may be typed in, canonical first.
func (k ObservationKind) Units() []string {
	if k.Type == ObsGlucose {
		return []string{"g/L", "mmol/L"}
	}
	return []string{k.Unit}
}

// UsualRange is the usual range in French ("35,5 à 38 °C").
func (k ObservationKind) UsualRange() string {
	parts := make([]string, len(k.Components))
	for i, c := range k.Components {
		parts[i] = FrenchNumber(c.Low, k.Decimals) + " à " + FrenchNumber(c.High, k.Decimals)
	}
	return strings.Join(parts, " / ") + " " + k.Unit
}

// FrenchNumber writes v with at most dec decimals and a decimal comma,
// without trailing zeros ("72,5", "38", "1,25").
func FrenchNumber(v float64, dec int) string {
	s := strconv.FormatFloat(v, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return strings.Replace(s, ".", ",", 1)
}

// Observation is one measurement of a usager.
type Observation struct {
	ID              uuid.UUID
	UsagerID        uuid.UUID
	EstablishmentID uuid.UUID
	Type            ObservationType
	Value           float64 // canonical unit; systolic for blood pressure
	Value2          float64 // diastolic for blood pressure
	EnteredUnit     string  // the unit typed (glucose: g/L or mmol/L)
	MeasuredAt      time.Time
	RecordedAt      time.Time
	AuthorID        uuid.UUID
	AuthorName      string
	Comment         string
	Flagged         bool // outside the usual range, confirmed by the author
	ErroneousAt     time.Time
	ErroneousBy     uuid.UUID
	ErroneousByName string
	ErroneousReason string
}

// Kind is the observation's kind.
func (o Observation) Kind() ObservationKind { k, _ := KindOf(o.Type); return k }

// Erroneous is true once marked "saisie erronée".
func (o Observation) Erroneous() bool { return !o.ErroneousAt.IsZero() }

// Display is the value with its unit, in French ("72,5 kg", "135/80 mmHg";
// glucose typed in mmol/L shows both).
func (o Observation) Display() string {
	k := o.Kind()
	if k.Pair() {
		return FrenchNumber(o.Value, 0) + "/" + FrenchNumber(o.Value2, 0) + " " + k.Unit
	}
	s := FrenchNumber(o.Value, k.Decimals) + " " + k.Unit
	if o.Type == ObsGlucose && o.EnteredUnit == "mmol/L" {
		s += " (" + FrenchNumber(o.Value*GlucoseMmolPerGram, 1) + " mmol/L saisis)"
	}
	return s
}

// PainProbable is true for an Algoplus score of 2 or more.
func (o Observation) PainProbable() bool {
	return o.Type == ObsAlgoplus && o.Value >= AlgoplusPainThreshold
}

// ObservationInput is one type's values as typed in the entry form.
type ObservationInput struct {
	Type       string
	Value      string // systolic for blood pressure
	Value2     string // diastolic
	Unit       string // glucose: "g/L" (default) or "mmol/L"
	MeasuredAt string // default now
	Comment    string
	Confirmed  bool // the user confirms a value outside the usual range
}

// Empty is true when no value was typed.
func (in ObservationInput) Empty() bool {
	return strings.TrimSpace(in.Value) == "" && strings.TrimSpace(in.Value2) == ""
}

// ObservationFutureSlack is how far in the future a measurement time may be
// (clocks of tablets drift).
const ObservationFutureSlack = 5 * time.Minute

// Observation fields in validation errors.
const (
	ObsFieldValue      = "value"
	ObsFieldValue2     = "value2"
	ObsFieldUnit       = "unit"
	ObsFieldMeasuredAt = "measured_at"
	ObsFieldConfirm    = "confirm"
	ObsFieldType       = "type"
)

// Parse checks an entry at now: decimal comma or point, the kind's decimals,
// the plausible range (refused), the usual range (refused unless
// Confirmed; flagged when confirmed), systolic above diastolic; glucose in
// mmol/L is converted to g/L. A "confirm" field in the error asks for the
// confirmation of unusual values.
func (in ObservationInput) Parse(now time.Time) (Observation, error) {
	var v ValidationError
	k, ok := KindOf(ObservationType(strings.TrimSpace(in.Type)))
	if !ok {
		v.Add(ObsFieldType, "Type de constante inconnu.")
		return Observation{}, v.Err()
	}
	o := Observation{Type: k.Type, Comment: strings.TrimSpace(in.Comment), EnteredUnit: k.Unit, MeasuredAt: now.UTC()}
	if s := strings.TrimSpace(in.MeasuredAt); s != "" {
		t, ok := parseDateTime(s)
		switch {
		case !ok:
			v.Add(ObsFieldMeasuredAt, "La date et l'heure de la mesure ne sont pas valides (jj/mm/aaaa hh:mm).")
		case t.After(now.Add(ObservationFutureSlack)):
			v.Add(ObsFieldMeasuredAt, "La mesure ne peut pas être datée dans le futur.")
		default:
			o.MeasuredAt = t
		}
	}
	factor := 1.0
	if k.Type == ObsGlucose {
		switch strings.TrimSpace(in.Unit) {
		case "", "g/L":
		case "mmol/L":
			o.EnteredUnit, factor = "mmol/L", GlucoseMmolPerGram
		default:
			v.Add(ObsFieldUnit, "Choisissez l'unité : g/L ou mmol/L.")
			return o, v.Err()
		}
	}
	raws := []string{in.Value, in.Value2}
	fields := []string{ObsFieldValue, ObsFieldValue2}
	values := make([]float64, len(k.Components))
	dec := k.Decimals
	if factor != 1 {
		dec = 1 // mmol/L is read to one decimal
	}
	unit := o.EnteredUnit
	for i, c := range k.Components {
		x, msg := parseMeasure(raws[i], dec)
		if msg != "" {
			v.Add(fields[i], fmt.Sprintf("%s : %s", c.Label, msg))
			continue
		}
		if factor != 1 {
			x = math.Round(x/factor*100) / 100 // canonical g/L to the centigram
		}
		if x < c.Min || x > c.Max {
			v.Add(fields[i], fmt.Sprintf("%s : %s %s n'est pas une valeur possible (attendu entre %s et %s %s).", c.Label,
				FrenchNumber(x*factor, dec), unit, FrenchNumber(c.Min*factor, dec), FrenchNumber(c.Max*factor, dec), unit))
		}
		values[i] = x
	}
	if len(v.Fields) == 0 && k.Pair() && values[0] <= values[1] {
		v.Add(ObsFieldValue2, "La pression diastolique doit être inférieure à la systolique.")
	}
	// Unusual values are checked once the entry is otherwise valid: a
	// typing error is corrected, not confirmed.
	unusual, valid := false, len(v.Fields) == 0
	for i, c := range k.Components {
		if !valid || (values[i] >= c.Low && values[i] <= c.High) {
			continue
		}
		unusual = true
		if !in.Confirmed {
			v.Add(fields[i], fmt.Sprintf("%s : %s %s est en dehors des valeurs habituelles (%s à %s %s). Vérifiez la mesure puis cochez la confirmation pour l'enregistrer.",
				c.Label, FrenchNumber(values[i]*factor, dec), unit, FrenchNumber(c.Low*factor, dec), FrenchNumber(c.High*factor, dec), unit))
		}
	}
	if unusual && !in.Confirmed {
		v.Add(ObsFieldConfirm, "Valeur inhabituelle : cochez « Je confirme » pour l'enregistrer.")
	}
	if err := v.Err(); err != nil {
		return o, err
	}
	o.Value = values[0]
	if k.Pair() {
		o.Value2 = values[1]
	}
	o.Flagged = unusual
	return o, nil
}

// parseMeasure reads a number typed with a decimal comma or point, with at
// most dec decimals; the message says what is wrong.
func parseMeasure(s string, dec int) (float64, string) {
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if s == "" {
		return 0, "valeur manquante."
	}
	s = strings.Replace(s, ",", ".", 1)
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || strings.ContainsAny(s, "eExXpP_") {
		return 0, "saisissez un nombre (par exemple 72,5)."
	}
	if i := strings.IndexByte(s, '.'); i >= 0 && len(strings.TrimRight(s[i+1:], "0")) > dec {
		if dec == 0 {
			return 0, "saisissez un nombre entier."
		}
		return 0, fmt.Sprintf("%d décimale(s) au plus.", dec)
	}
	return x, ""
}

// NeedsConfirmation is true when err asks to confirm unusual values.
func NeedsConfirmation(err error) bool {
	v, ok := AsValidation(err)
	if !ok {
		return false
	}
	_, ok = v.Fields[ObsFieldConfirm]
	return ok
}

// ErroneousReason checks the reason given to mark an entry erroneous.
func ErroneousReason(reason string) (string, error) {
	var v ValidationError
	reason = strings.TrimSpace(reason)
	if reason == "" {
		v.Add("reason", "Indiquez pourquoi cette saisie est erronée.")
	}
	return reason, v.Err()
}

// ObservationPeriod is the span of a chart.
type ObservationPeriod string

// Chart periods.
const (
	PeriodMonth   ObservationPeriod = "1m"
	PeriodQuarter ObservationPeriod = "3m"
	PeriodYear    ObservationPeriod = "1a"
	PeriodAll     ObservationPeriod = "tout"
)

// AllObservationPeriods in display order.
var AllObservationPeriods = []ObservationPeriod{PeriodMonth, PeriodQuarter, PeriodYear, PeriodAll}

// Label is the French name.
func (p ObservationPeriod) Label() string {
	switch p {
	case PeriodMonth:
		return "1 mois"
	case PeriodQuarter:
		return "3 mois"
	case PeriodYear:
		return "1 an"
	case PeriodAll:
		return "Tout"
	}
	return string(p)
}

// ParsePeriod reads a period, defaulting to 3 months.
func ParsePeriod(s string) ObservationPeriod {
	for _, p := range AllObservationPeriods {
		if string(p) == s {
			return p
		}
	}
	return PeriodQuarter
}

// Since is the start of the period ending at now (zero for all).
func (p ObservationPeriod) Since(now time.Time) time.Time {
	switch p {
	case PeriodMonth:
		return now.AddDate(0, -1, 0)
	case PeriodQuarter:
		return now.AddDate(0, -3, 0)
	case PeriodYear:
		return now.AddDate(-1, 0, 0)
	}
	return time.Time{}
}

// ObservationQuery selects a usager's observations, oldest first.
type ObservationQuery struct {
	UsagerID         uuid.UUID
	Types            []ObservationType // all when empty
	Since            time.Time         // zero: from the start
	IncludeErroneous bool
}

// ObservationTx stores observations (constantes).
type ObservationTx interface {
	// SaveObservations inserts new entries (all or none).
	SaveObservations(obs []Observation) error
	Observation(id uuid.UUID) (Observation, error)
	Observations(q ObservationQuery) ([]Observation, error)
	// LatestObservations is the last valid entry of each type.
	LatestObservations(usager uuid.UUID) ([]Observation, error)
	// MarkObservationErroneous keeps the entry but takes it out of charts;
	// ErrConflict when already marked.
	MarkObservationErroneous(id, by uuid.UUID, byName, reason string, at time.Time) error
}

// WeightLoss is a loss of weight reaching a criterion of undernutrition of
// the HAS (2021, people aged 70 or more): 5 % or more in one month, or 10 %
// or more in six months.
type WeightLoss struct {
	Percent float64 // loss, in % of the reference weight
	Months  int     // 1 or 6
	From    Observation
}

// Label is the French alert ("Perte de poids de 6,2 % en 1 mois").
func (w WeightLoss) Label() string {
	return "Perte de poids de " + FrenchNumber(w.Percent, 1) + " % en " + strconv.Itoa(w.Months) + " mois (critère de dénutrition)"
}

// CheckWeightLoss compares the latest of weights (valid entries, oldest
// first) with the oldest weighing of the month, then of the six months,
// before it; false when no criterion is met.
func CheckWeightLoss(weights []Observation) (WeightLoss, bool) {
	var valid []Observation
	for _, o := range weights {
		if o.Type == ObsWeight && !o.Erroneous() {
			valid = append(valid, o)
		}
	}
	if len(valid) < 2 {
		return WeightLoss{}, false
	}
	last := valid[len(valid)-1]
	for _, c := range []struct {
		months  int
		percent float64
	}{{1, 5}, {6, 10}} {
		since := last.MeasuredAt.AddDate(0, -c.months, 0)
		for _, ref := range valid[:len(valid)-1] {
			if ref.MeasuredAt.Before(since) {
				continue
			}
			loss := (ref.Value - last.Value) / ref.Value * 100
			if loss >= c.percent {
				return WeightLoss{Percent: math.Round(loss*10) / 10, Months: c.months, From: ref}, true
			}
			break // the oldest weighing of the window is the reference
		}
	}
	return WeightLoss{}, false
}
