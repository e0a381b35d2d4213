package domain

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Medication: prescriptions typed from a prescriber's order, the register
// of administrations at each planned intake, and the "si besoin" lines
// (given on a condition, at most n times over any 24 hours). A prescription
// is never deleted nor edited: it is stopped (arrêt), and a change is a stop
// plus a new line, so the register always points at what was prescribed.
// The register follows the "5 B" rule (bon patient, bon médicament, bonne
// dose, bonne voie, bon moment): every line shows the five.

// MedicationTx stores prescriptions and the administration register.
type MedicationTx interface {
	// SavePrescription inserts a new prescription with its intakes.
	SavePrescription(p *Prescription) error
	// StopPrescription records the arrêt; a line already stopped is a
	// conflict.
	StopPrescription(id uuid.UUID, at time.Time, reason string, by uuid.UUID, byName string) error
	Prescription(id uuid.UUID) (Prescription, error)
	// Prescriptions lists every line of a usager, current and stopped.
	Prescriptions(usager uuid.UUID) ([]Prescription, error)
	// RoundPrescriptions lists the lines of an establishment in force on a
	// day (Paris calendar day at midnight UTC), with the usager's name.
	RoundPrescriptions(estab uuid.UUID, day time.Time) ([]Prescription, error)
	// Administrations lists the current (not corrected) records of the
	// prescriptions, planned for or given within [from, to).
	Administrations(prescriptions []uuid.UUID, from, to time.Time) ([]Administration, error)
	// RecordAdministration checks and stores one administration under a
	// lock of its prescription, so two concurrent records cannot together
	// pass the "si besoin" maximum; a planned intake traced twice is a
	// conflict, unless the new record explicitly corrects the current one.
	RecordAdministration(a *Administration) error
	// Administration reads one record of the register, current or
	// superseded by a correction (Superseded tells).
	Administration(id uuid.UUID) (Administration, error)
}

// DoseUnits are the units a dose is counted in.
var DoseUnits = []string{"comprimé", "gélule", "mg", "g", "µg", "ml", "goutte", "sachet", "UI", "bouffée",
	"application", "suppositoire", "patch", "ampoule", "unité"}

// Route is the way a drug is given (voie d'administration).
type Route string

// Routes of administration.
const (
	RouteOral          Route = "per_os"
	RouteSublingual    Route = "sublinguale"
	RouteSubcutaneous  Route = "sous_cutanee"
	RouteIntramuscular Route = "intramusculaire"
	RouteIntravenous   Route = "intraveineuse"
	RouteCutaneous     Route = "cutanee"
	RouteTransdermal   Route = "transdermique"
	RouteInhaled       Route = "inhalee"
	RouteNasal         Route = "nasale"
	RouteRectal        Route = "rectale"
	RouteOcular        Route = "oculaire"
	RouteAuricular     Route = "auriculaire"
)

// AllRoutes in display order.
var AllRoutes = []Route{RouteOral, RouteSublingual, RouteSubcutaneous, RouteIntramuscular, RouteIntravenous,
	RouteCutaneous, RouteTransdermal, RouteInhaled, RouteNasal, RouteRectal, RouteOcular, RouteAuricular}

// Label is the French name.
func (r Route) Label() string {
	switch r {
	case RouteOral:
		return "Per os"
	case RouteSublingual:
		return "Sublinguale"
	case RouteSubcutaneous:
		return "Sous-cutanée"
	case RouteIntramuscular:
		return "Intramusculaire"
	case RouteIntravenous:
		return "Intraveineuse"
	case RouteCutaneous:
		return "Cutanée"
	case RouteTransdermal:
		return "Transdermique"
	case RouteInhaled:
		return "Inhalée"
	case RouteNasal:
		return "Nasale"
	case RouteRectal:
		return "Rectale"
	case RouteOcular:
		return "Oculaire"
	case RouteAuricular:
		return "Auriculaire"
	}
	return string(r)
}

// Drug code systems: CIP13 names a box, UCD a dispensing unit.
const (
	CodeCIP13 = "CIP13"
	CodeUCD   = "UCD"
)

// Intake is one fixed time of the day with the quantity given then.
type Intake struct {
	Minute   int // minutes after midnight, Paris time
	Quantity float64
}

// Clock writes the intake time as 08:00.
func (i Intake) Clock() string { return fmt.Sprintf("%02d:%02d", i.Minute/60, i.Minute%60) }

// Prescription is one line of a prescriber's order.
type Prescription struct {
	ID              uuid.UUID
	UsagerID        uuid.UUID
	UsagerName      string // filled by round lists
	EstablishmentID uuid.UUID
	Drug            string // free text, required
	Code            string // optional CIP13 or UCD code
	CodeSystem      string
	Unit            string
	Route           Route
	// A scheduled line has intakes; a "si besoin" line has none, a condition,
	// a dose per intake and a maximum number of intakes per rolling 24 h.
	Intakes     []Intake
	Weekdays    []time.Weekday // empty: every day
	AsNeeded    bool
	Condition   string
	Dose        float64 // per intake of a "si besoin" line
	MaxPer24h   int
	MinInterval time.Duration // 0: none
	Start       time.Time     // calendar days (midnight UTC)
	End         time.Time     // zero: no end; inclusive
	Prescriber  string
	RPPS        string
	OrderDate   time.Time
	Notes       string // instructions
	CreatedAt   time.Time
	CreatedBy   uuid.UUID
	CreatedName string
	StoppedAt   time.Time // zero while in force
	StopReason  string
	StoppedBy   uuid.UUID
	StoppedName string
}

// Stopped is true once the arrêt is recorded.
func (p Prescription) Stopped() bool { return !p.StoppedAt.IsZero() }

// Ended is true when the line is stopped or its end date is before day.
func (p Prescription) Ended(day time.Time) bool {
	return p.Stopped() || (!p.End.IsZero() && p.End.Before(day))
}

// OnDay reports whether the line is prescribed on the calendar day
// (midnight UTC): between start and end, on one of its weekdays. A stop
// cuts the intakes after it (see Planned).
func (p Prescription) OnDay(day time.Time) bool {
	if day.Before(p.Start) || (!p.End.IsZero() && day.After(p.End)) {
		return false
	}
	if len(p.Weekdays) == 0 {
		return true
	}
	for _, w := range p.Weekdays {
		if w == day.Weekday() {
			return true
		}
	}
	return false
}

// DoseText writes a quantity with its unit, in French (1,5 comprimé).
func DoseText(q float64, unit string) string { return FormatQuantity(q) + " " + unit }

// FormatQuantity writes a quantity with a decimal comma and no trailing
// zeros.
func FormatQuantity(q float64) string {
	return strings.ReplaceAll(strconv.FormatFloat(q, 'f', -1, 64), ".", ",")
}

// ScheduleText describes the intakes and days of a line.
func (p Prescription) ScheduleText() string {
	if p.AsNeeded {
		s := fmt.Sprintf("Si besoin : %s, au plus %d fois par 24 h", DoseText(p.Dose, p.Unit), p.MaxPer24h)
		if p.MinInterval > 0 {
			s += ", " + IntervalText(p.MinInterval) + " au moins entre deux prises"
		}
		return s
	}
	var parts []string
	for _, in := range p.Intakes {
		parts = append(parts, in.Clock()+" : "+DoseText(in.Quantity, p.Unit))
	}
	s := strings.Join(parts, " · ")
	if len(p.Weekdays) > 0 {
		var days []string
		for _, w := range p.Weekdays {
			days = append(days, weekdayNames[w])
		}
		s += " (" + strings.Join(days, ", ") + ")"
	}
	return s
}

// IntervalText writes a duration as 6 h or 4 h 30.
func IntervalText(d time.Duration) string {
	h, m := int(d.Hours()), int(d.Minutes())%60
	if m == 0 {
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %02d", h, m)
}

var weekdayNames = map[time.Weekday]string{time.Monday: "lundi", time.Tuesday: "mardi", time.Wednesday: "mercredi",
	time.Thursday: "jeudi", time.Friday: "vendredi", time.Saturday: "samedi", time.Sunday: "dimanche"}

// WeekdayOrder is Monday first, as on a French calendar.
var WeekdayOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

// WeekdayName is the French name of a weekday.
func WeekdayName(w time.Weekday) string { return weekdayNames[w] }

// PlannedIntake is one intake due at an instant, with what was recorded.
type PlannedIntake struct {
	Prescription Prescription
	At           time.Time // UTC
	Quantity     float64
	Record       *Administration // nil while not traced
}

// Clock is the planned time in Paris (08:00).
func (pi PlannedIntake) Clock() string { return pi.At.In(Paris()).Format("15:04") }

// Planned expands the scheduled intakes of p over the calendar days from
// to to (midnight UTC, inclusive), in Paris time, in time order. Intakes at
// or after the stop are no longer due.
func (p Prescription) Planned(from, to time.Time) []PlannedIntake {
	if p.AsNeeded {
		return nil
	}
	var out []PlannedIntake
	for day := from; !day.After(to); day = day.AddDate(0, 0, 1) {
		if !p.OnDay(day) {
			continue
		}
		for _, in := range p.Intakes {
			at := time.Date(day.Year(), day.Month(), day.Day(), in.Minute/60, in.Minute%60, 0, 0, Paris()).UTC()
			if p.Stopped() && !at.Before(p.StoppedAt) {
				continue
			}
			out = append(out, PlannedIntake{Prescription: p, At: at, Quantity: in.Quantity})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out
}

// PlannedAt finds the intake of p planned at the instant at.
func (p Prescription) PlannedAt(at time.Time) (PlannedIntake, bool) {
	day := ParisDay(at)
	for _, pi := range p.Planned(day, day) {
		if pi.At.Equal(at) {
			return pi, true
		}
	}
	return PlannedIntake{}, false
}

// DayBounds are the instants where a Paris calendar day begins and ends.
func DayBounds(day time.Time) (time.Time, time.Time) {
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, Paris())
	return start.UTC(), start.AddDate(0, 0, 1).UTC()
}

// RoundMoment is a part of the day of a medication round.
type RoundMoment string

// Moments of the medication round.
const (
	RoundMorning RoundMoment = "matin"
	RoundNoon    RoundMoment = "midi"
	RoundEvening RoundMoment = "soir"
	RoundBedtime RoundMoment = "coucher"
)

// AllRoundMoments in order.
var AllRoundMoments = []RoundMoment{RoundMorning, RoundNoon, RoundEvening, RoundBedtime}

// Label is the French name.
func (m RoundMoment) Label() string {
	switch m {
	case RoundMorning:
		return "Matin"
	case RoundNoon:
		return "Midi"
	case RoundEvening:
		return "Soir"
	case RoundBedtime:
		return "Coucher"
	}
	return string(m)
}

// Hours is the span of the moment, as shown on the round.
func (m RoundMoment) Hours() string {
	switch m {
	case RoundMorning:
		return "avant 11 h"
	case RoundNoon:
		return "11 h – 16 h"
	case RoundEvening:
		return "16 h – 20 h"
	}
	return "à partir de 20 h"
}

// MomentOf places an instant in a moment of its Paris day: morning until
// 11:00, noon until 16:00, evening until 20:00, then bedtime.
func RoundMomentOf(t time.Time) RoundMoment {
	h := t.In(Paris()).Hour()
	switch {
	case h < 11:
		return RoundMorning
	case h < 16:
		return RoundNoon
	case h < 20:
		return RoundEvening
	}
	return RoundBedtime
}

// AdminStatus is what happened at an intake.
type AdminStatus string

// Administration statuses (given / refused / missed / held).
const (
	AdminGiven   AdminStatus = "given"
	AdminRefused AdminStatus = "refused"
	AdminMissed  AdminStatus = "missed"
	AdminHeld    AdminStatus = "held"
)

// AllAdminStatuses in display order.
var AllAdminStatuses = []AdminStatus{AdminGiven, AdminRefused, AdminMissed, AdminHeld}

// Label is the French name.
func (s AdminStatus) Label() string {
	switch s {
	case AdminGiven:
		return "Donné"
	case AdminRefused:
		return "Refusé par la personne"
	case AdminMissed:
		return "Non donné"
	case AdminHeld:
		return "Suspendu sur avis médical"
	}
	return string(s)
}

// MissedReasons are why a planned intake was not given (code → label).
var MissedReasons = []struct{ Code, Label string }{
	{"absent", "Absent"}, {"hospitalise", "Hospitalisé"}, {"a_jeun", "À jeun"}, {"vomissements", "Vomissements"},
	{"indisponible", "Produit indisponible"}, {"autre", "Autre (préciser)"},
}

// MissedReasonLabel names a reason code.
func MissedReasonLabel(code string) string {
	for _, r := range MissedReasons {
		if r.Code == code {
			return r.Label
		}
	}
	return code
}

// Administration is one line of the register: a planned intake traced, or
// a "si besoin" dose given.
type Administration struct {
	ID              uuid.UUID
	PrescriptionID  uuid.UUID
	UsagerID        uuid.UUID
	EstablishmentID uuid.UUID
	PlannedAt       time.Time // zero for "si besoin"
	At              time.Time // when given (or noted not given)
	Status          AdminStatus
	Reason          string // missed: reason code
	ReasonText      string // missed "autre", held: the medical opinion
	Dose            float64
	// "Si besoin": who decided, why, and the observation that justified it.
	DecidedBy   string
	Why         string
	Observation string
	// A correction replaces the current record of the same intake.
	Corrects         uuid.UUID
	CorrectionReason string
	RecordedAt       time.Time
	ByID             uuid.UUID
	ByName           string
	// Superseded is set on a record a correction replaced (read by id
	// only: lists carry the current records).
	Superseded bool
}

// AsNeeded is true for a "si besoin" dose.
func (a Administration) AsNeeded() bool { return a.PlannedAt.IsZero() }

// Text sums up the record (Donné à 08:12 par K. Benali).
func (a Administration) Text() string {
	s := a.Status.Label()
	if a.Status == AdminMissed {
		s += " (" + MissedReasonLabel(a.Reason)
		if a.ReasonText != "" {
			s += " : " + a.ReasonText
		}
		s += ")"
	} else if a.Status == AdminHeld && a.ReasonText != "" {
		s += " (" + a.ReasonText + ")"
	}
	return s + " à " + a.At.In(Paris()).Format("15:04") + " par " + a.ByName
}

// PrescriptionInput is a prescription as typed. Intake times and
// quantities are parallel lists (empty rows are ignored).
type PrescriptionInput struct {
	EstablishmentID string
	Drug            string
	Code            string
	CodeSystem      string
	Unit            string
	Route           string
	AsNeeded        bool
	IntakeTimes     []string
	IntakeQuantity  []string
	Weekdays        []string // "1" (Monday) … "0" (Sunday); none: every day
	Condition       string
	Dose            string
	MaxPer24h       string
	MinInterval     string // hours, may be decimal
	Start           string
	End             string
	Prescriber      string
	RPPS            string
	OrderDate       string
	Notes           string
}

// Parse checks a prescription; the messages are keyed by form field
// (intake rows as intake_time_N / intake_qty_N, N from 1).
func (in PrescriptionInput) Parse() (Prescription, error) {
	var v ValidationError
	p := Prescription{Drug: strings.TrimSpace(in.Drug), Code: strings.TrimSpace(in.Code), CodeSystem: strings.TrimSpace(in.CodeSystem),
		Unit: strings.TrimSpace(in.Unit), Route: Route(strings.TrimSpace(in.Route)), AsNeeded: in.AsNeeded,
		Prescriber: strings.TrimSpace(in.Prescriber), RPPS: strings.ReplaceAll(strings.TrimSpace(in.RPPS), " ", ""),
		Notes: strings.TrimSpace(in.Notes)}
	var err error
	if p.EstablishmentID, err = uuid.Parse(strings.TrimSpace(in.EstablishmentID)); err != nil {
		v.Add("establishment_id", "Choisissez l'établissement.")
	}
	if p.Drug == "" {
		v.Add("drug", "Indiquez le médicament (nom commercial ou DCI, dosage et forme).")
	}
	p.Code = strings.ReplaceAll(p.Code, " ", "")
	switch {
	case p.Code == "" && p.CodeSystem != "":
		p.CodeSystem = "" // a system without a code says nothing
	case p.Code != "":
		if msg := CheckDrugCode(p.CodeSystem, p.Code); msg != "" {
			v.Add("code", msg)
		}
	}
	if !contains(DoseUnits, p.Unit) {
		v.Add("unit", "Choisissez l'unité de la dose.")
	}
	known := false
	for _, r := range AllRoutes {
		known = known || r == p.Route
	}
	if !known {
		v.Add("route", "Choisissez la voie d'administration.")
	}
	if p.AsNeeded {
		p.Condition = strings.TrimSpace(in.Condition)
		if p.Condition == "" {
			v.Add("condition", "Indiquez la condition du « si besoin » (par exemple : douleur EVA ≥ 4).")
		}
		if q, ok := parseQuantity(in.Dose); !ok {
			v.Add("dose", "Indiquez la dose par prise (un nombre positif, par exemple 1 ou 0,5).")
		} else {
			p.Dose = q
		}
		if n, err := strconv.Atoi(strings.TrimSpace(in.MaxPer24h)); err != nil || n < 1 || n > 24 {
			v.Add("max_per_24h", "Indiquez le nombre maximal de prises sur 24 heures (de 1 à 24).")
		} else {
			p.MaxPer24h = n
		}
		if s := strings.TrimSpace(in.MinInterval); s != "" {
			if h, ok := parseQuantity(s); !ok || h > 24 {
				v.Add("min_interval", "L'intervalle minimal est un nombre d'heures entre 0 et 24 (par exemple 4 ou 6).")
			} else {
				p.MinInterval = time.Duration(h * float64(time.Hour)).Round(time.Minute)
			}
		}
	} else {
		seen := map[int]bool{}
		for i := 0; i < len(in.IntakeTimes) || i < len(in.IntakeQuantity); i++ {
			t, q := strings.TrimSpace(at(in.IntakeTimes, i)), strings.TrimSpace(at(in.IntakeQuantity, i))
			if t == "" && q == "" {
				continue
			}
			n := strconv.Itoa(i + 1)
			m, ok := parseClock(t)
			if !ok {
				v.Add("intake_time_"+n, "Heure de prise invalide (hh:mm).")
				continue
			}
			if seen[m] {
				v.Add("intake_time_"+n, "Cette heure de prise figure déjà sur la ligne.")
				continue
			}
			seen[m] = true
			qty, ok := parseQuantity(q)
			if !ok {
				v.Add("intake_qty_"+n, "Indiquez la quantité de cette prise (un nombre positif).")
				continue
			}
			p.Intakes = append(p.Intakes, Intake{Minute: m, Quantity: qty})
		}
		if len(p.Intakes) == 0 && len(v.Fields) == 0 {
			v.Add("intake_time_1", "Indiquez au moins une heure de prise avec sa quantité.")
		}
		sort.Slice(p.Intakes, func(i, j int) bool { return p.Intakes[i].Minute < p.Intakes[j].Minute })
		for _, w := range in.Weekdays {
			n, err := strconv.Atoi(w)
			if err != nil || n < 0 || n > 6 {
				v.Add("weekdays", "Jour de la semaine inconnu.")
				break
			}
			if !containsWeekday(p.Weekdays, time.Weekday(n)) {
				p.Weekdays = append(p.Weekdays, time.Weekday(n))
			}
		}
		if len(p.Weekdays) == 7 {
			p.Weekdays = nil // every day
		}
		sortWeekdays(p.Weekdays)
	}
	var ok bool
	if p.Start, ok = parseDateField(&v, "start", in.Start, true, "La date de début"); ok {
		if p.End, ok = parseDateField(&v, "end", in.End, false, "La date de fin"); ok && p.End.Before(p.Start) {
			v.Add("end", "La date de fin ne peut précéder la date de début.")
		}
	}
	if p.Prescriber == "" {
		v.Add("prescriber", "Indiquez le nom du prescripteur.")
	}
	if msg := CheckRPPS(p.RPPS); msg != "" {
		v.Add("rpps", msg)
	}
	if p.OrderDate, ok = parseDateField(&v, "order_date", in.OrderDate, true, "La date de l'ordonnance"); ok && !p.Start.IsZero() && p.Start.Before(p.OrderDate) {
		v.Add("start", "Le traitement ne peut commencer avant la date de l'ordonnance.")
	}
	return p, v.Err()
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsWeekday(list []time.Weekday, w time.Weekday) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}

// sortWeekdays orders Monday first.
func sortWeekdays(ws []time.Weekday) {
	sort.Slice(ws, func(i, j int) bool { return (ws[i]+6)%7 < (ws[j]+6)%7 })
}

// parseClock reads HH:MM (or 8h30, 8h) as minutes after midnight.
func parseClock(s string) (int, bool) {
	s = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "h", ":")
	h, m, found := strings.Cut(s, ":")
	if !found || m == "" {
		m = "0"
	}
	hh, err1 := strconv.Atoi(strings.TrimSpace(h))
	mm, err2 := strconv.Atoi(strings.TrimSpace(m))
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

// parseQuantity reads a positive quantity with a comma or a dot, at most
// three decimals.
func parseQuantity(s string) (float64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || q <= 0 || q > 10000 || math.Abs(q*1000-math.Round(q*1000)) > 1e-6 {
		return 0, false
	}
	return q, true
}

// CheckRPPS returns a French message when s is not an RPPS number: 11
// digits whose last is the Luhn key of the first ten.
func CheckRPPS(s string) string {
	if s == "" {
		return "Le numéro RPPS du prescripteur est obligatoire (11 chiffres)."
	}
	if len(s) != 11 || !allDigits(s) {
		return "Le numéro RPPS compte 11 chiffres."
	}
	if !Luhn(s) {
		return "Le numéro RPPS n'est pas valide (clé de contrôle erronée) : vérifiez-le sur l'ordonnance."
	}
	return ""
}

// Luhn reports whether the digits of s pass the Luhn check (the last digit
// is the key).
func Luhn(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// ean13 reports whether a 13-digit code carries a valid EAN-13 key (the
// CIP13 and UCD13 codes are GS1 EAN-13 numbers).
func ean13(s string) bool {
	if len(s) != 13 || !allDigits(s) {
		return false
	}
	sum := 0
	for i := 0; i < 12; i++ {
		d := int(s[i] - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return (10-sum%10)%10 == int(s[12]-'0')
}

// CheckDrugCode returns a French message when code is not a code of
// system: CIP13 is 13 digits starting 3400 with its EAN-13 key; UCD is 7
// digits, or 13 digits (UCD13) starting 3400 with its key.
func CheckDrugCode(system, code string) string {
	switch system {
	case CodeCIP13:
		if len(code) != 13 || !allDigits(code) || !strings.HasPrefix(code, "3400") {
			return "Un code CIP13 compte 13 chiffres et commence par 3400."
		}
		if !ean13(code) {
			return "Ce code CIP13 n'est pas valide (clé de contrôle erronée)."
		}
	case CodeUCD:
		switch {
		case len(code) == 7 && allDigits(code):
		case len(code) == 13 && allDigits(code) && strings.HasPrefix(code, "3400"):
			if !ean13(code) {
				return "Ce code UCD13 n'est pas valide (clé de contrôle erronée)."
			}
		default:
			return "Un code UCD compte 7 chiffres (UCD7) ou 13 chiffres commençant par 3400 (UCD13)."
		}
	default:
		return "Choisissez le type du code (CIP13 ou UCD)."
	}
	return ""
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// CheckStopReason requires the motive of an arrêt.
func CheckStopReason(reason string) error {
	var v ValidationError
	if strings.TrimSpace(reason) == "" {
		v.Add("stop_reason", "Indiquez le motif de l'arrêt (par exemple : fin de traitement, effet indésirable, changement de posologie).")
	}
	return v.Err()
}

// AdministrationInput is a record as typed. For a planned intake PlannedAt
// is set (RFC 3339, as the form carries it); for a "si besoin" dose it is
// empty and At, Dose, DecidedBy, Why and Observation are typed.
type AdministrationInput struct {
	PlannedAt        string
	Status           string
	Reason           string
	ReasonText       string
	At               string // "si besoin": 2006-01-02T15:04 in Paris; empty: now
	Dose             string
	DecidedBy        string
	Why              string
	Observation      string
	Corrects         string
	CorrectionReason string
}

// AdminWindow is how far back a dose may be recorded: the register is
// filled during or just after the round, not days later.
const AdminWindow = 24 * time.Hour

// Parse checks the record against p at now; the result still needs the
// "si besoin" check against the other doses (CheckAsNeeded), done under the
// prescription's lock.
func (in AdministrationInput) Parse(p Prescription, now time.Time) (Administration, error) {
	var v ValidationError
	a := Administration{PrescriptionID: p.ID, UsagerID: p.UsagerID, EstablishmentID: p.EstablishmentID,
		Status: AdminStatus(strings.TrimSpace(in.Status)), Reason: strings.TrimSpace(in.Reason), ReasonText: strings.TrimSpace(in.ReasonText),
		DecidedBy: strings.TrimSpace(in.DecidedBy), Why: strings.TrimSpace(in.Why), Observation: strings.TrimSpace(in.Observation),
		CorrectionReason: strings.TrimSpace(in.CorrectionReason), At: now.UTC()}
	if s := strings.TrimSpace(in.Corrects); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			v.Add("corrects", "L'enregistrement à corriger n'est pas reconnu.")
		}
		a.Corrects = id
		if a.CorrectionReason == "" {
			v.Add("correction_reason", "Une correction du registre doit être motivée.")
		}
	}
	if s := strings.TrimSpace(in.PlannedAt); s != "" {
		if p.AsNeeded {
			v.Add("planned_at", "Un traitement « si besoin » n'a pas de prise prévue.")
			return a, v.Err()
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			v.Add("planned_at", "La prise prévue n'est pas reconnue.")
			return a, v.Err()
		}
		pi, ok := p.PlannedAt(t.UTC())
		if !ok {
			v.Add("planned_at", "Aucune prise n'est prévue à cette heure pour ce traitement.")
			return a, v.Err()
		}
		a.PlannedAt, a.Dose = pi.At, pi.Quantity
		if pi.At.After(now.Add(2 * time.Hour)) {
			v.Add("status", "Cette prise est prévue à "+pi.Clock()+" le "+FrenchDate(ParisDay(pi.At))+" : elle ne se trace pas plus de 2 heures à l'avance.")
		}
		switch a.Status {
		case AdminGiven, AdminRefused:
			a.Reason, a.ReasonText = "", ""
		case AdminMissed:
			known := false
			for _, r := range MissedReasons {
				known = known || r.Code == a.Reason
			}
			if !known {
				v.Add("reason", "Indiquez pourquoi la prise n'a pas été donnée.")
			} else if a.Reason == "autre" && a.ReasonText == "" {
				v.Add("reason_text", "Précisez le motif.")
			}
		case AdminHeld:
			a.Reason = ""
		default:
			v.Add("status", "Choisissez : donné, refusé, non donné ou suspendu.")
		}
		if a.Status != AdminGiven {
			a.Dose = 0
		}
		return a, v.Err()
	}
	if !p.AsNeeded {
		v.Add("planned_at", "Choisissez la prise prévue à tracer.")
		return a, v.Err()
	}
	a.Status = AdminGiven
	if s := strings.TrimSpace(in.At); s != "" {
		t, ok := parseDateTime(s)
		switch {
		case !ok:
			v.Add("at", "L'heure d'administration n'est pas valide (jj/mm/aaaa hh:mm).")
		case t.After(now.Add(5 * time.Minute)):
			v.Add("at", "L'heure d'administration ne peut pas être dans le futur.")
		case t.Before(now.Add(-AdminWindow)):
			v.Add("at", "Une administration se trace dans les 24 heures.")
		default:
			a.At = t
		}
	}
	if q, ok := parseQuantity(in.Dose); !ok {
		v.Add("dose", "Indiquez la dose donnée (un nombre positif).")
	} else if q > p.Dose+1e-9 {
		v.Add("dose", "La dose prescrite par prise est de "+DoseText(p.Dose, p.Unit)+" : on ne donne pas davantage.")
	} else {
		a.Dose = q
	}
	if a.DecidedBy == "" {
		v.Add("decided_by", "Indiquez qui a décidé de l'administration.")
	}
	if a.Why == "" {
		v.Add("why", "Indiquez pourquoi le « si besoin » est donné.")
	}
	if a.Observation == "" {
		v.Add("observation", "Décrivez l'observation qui justifie la prise (par exemple : EVA 6 à 14 h 10).")
	}
	if !p.StartsBy(a.At) {
		v.Add("at", "Le traitement n'est pas en vigueur à cette heure-là.")
	}
	return a, v.Err()
}

// StartsBy reports whether the line is in force at the instant t (between
// its start and end days, before its stop).
func (p Prescription) StartsBy(t time.Time) bool {
	day := ParisDay(t)
	if day.Before(p.Start) || (!p.End.IsZero() && day.After(p.End)) {
		return false
	}
	return !p.Stopped() || t.Before(p.StoppedAt)
}

// CheckAsNeeded refuses a "si besoin" dose at at when, with the doses
// already given (others), some 24-hour window holding it would count more
// than the maximum, or when another dose is closer than the minimum
// interval. Windows are rolling: they cross midnight.
func CheckAsNeeded(p Prescription, others []time.Time, at time.Time) error {
	var v ValidationError
	times := append([]time.Time{at}, others...)
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	const day = 24 * time.Hour
	for _, s := range times {
		if s.After(at) || !at.Before(s.Add(day)) {
			continue
		}
		n := 0
		for _, t := range times {
			if !t.Before(s) && t.Before(s.Add(day)) {
				n++
			}
		}
		if n > p.MaxPer24h {
			msg := fmt.Sprintf("Administration refusée : le maximum de %d prise%s sur 24 heures glissantes serait dépassé.", p.MaxPer24h, plural(p.MaxPer24h))
			if next := NextAsNeeded(p, others, at); !next.IsZero() {
				msg += " Prochaine prise possible à partir du " + next.In(Paris()).Format("02/01 à 15:04") + "."
			}
			v.Add("dose", msg)
			return v.Err()
		}
	}
	if p.MinInterval > 0 {
		for _, t := range others {
			d := at.Sub(t)
			if d < 0 {
				d = -d
			}
			if d < p.MinInterval {
				v.Add("dose", fmt.Sprintf("Administration refusée : il faut %s au moins entre deux prises (une prise a été donnée le %s).",
					IntervalText(p.MinInterval), t.In(Paris()).Format("02/01 à 15:04")))
				return v.Err()
			}
		}
	}
	return nil
}

func plural(n int) string {
	if n > 1 {
		return "s"
	}
	return ""
}

// NextAsNeeded is the earliest instant from now on when one more dose
// would respect the maximum and the interval given the doses before it
// (zero when one may be given now).
func NextAsNeeded(p Prescription, given []time.Time, now time.Time) time.Time {
	var past []time.Time
	for _, t := range given {
		if !t.After(now) && t.After(now.Add(-24*time.Hour)) {
			past = append(past, t)
		}
	}
	sort.Slice(past, func(i, j int) bool { return past[i].Before(past[j]) })
	next := time.Time{}
	if len(past) >= p.MaxPer24h && p.MaxPer24h > 0 {
		next = past[len(past)-p.MaxPer24h].Add(24 * time.Hour)
	}
	if p.MinInterval > 0 && len(past) > 0 {
		if t := past[len(past)-1].Add(p.MinInterval); t.After(now) && t.After(next) {
			next = t
		}
	}
	if !next.After(now) {
		return time.Time{}
	}
	return next
}

// RemainingAsNeeded is how many doses may still be given over the 24 hours
// before now.
func RemainingAsNeeded(p Prescription, given []time.Time, now time.Time) int {
	n := 0
	for _, t := range given {
		if !t.After(now) && t.After(now.Add(-24*time.Hour)) {
			n++
		}
	}
	if n > p.MaxPer24h {
		return 0
	}
	return p.MaxPer24h - n
}

// DoseText is the planned quantity with its unit.
func (pi PlannedIntake) DoseText() string { return DoseText(pi.Quantity, pi.Prescription.Unit) }

// Key is the planned instant as the register's forms carry it.
func (pi PlannedIntake) Key() string { return pi.At.UTC().Format(time.RFC3339) }

// Moment is the part of the day of the intake (medication round).
func (pi PlannedIntake) Moment() RoundMoment { return RoundMomentOf(pi.At) }

// DoseText is the dose per intake of a "si besoin" line.
func (p Prescription) DoseText() string { return DoseText(p.Dose, p.Unit) }

// CodeText names the drug code with its system (CIP13 3400930000014).
func (p Prescription) CodeText() string {
	if p.Code == "" {
		return ""
	}
	return p.CodeSystem + " " + p.Code
}

// DoseText is the dose given, with the unit of p.
func (a Administration) DoseText(p Prescription) string { return DoseText(a.Dose, p.Unit) }

// Corrected is true when the record replaces an earlier one.
func (a Administration) Corrected() bool { return a.Corrects != uuid.Nil }
