package domain

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Presence register of day services (accueil de jour, externat, semi-
// internat…): each open day, each person admitted is present, absent with a
// reason, or excused; the monthly summary counts them against the days the
// service was open.

// PresenceStatus is what the register says of a person on a day.
type PresenceStatus string

// Presence statuses.
const (
	Present PresenceStatus = "present"
	Absent  PresenceStatus = "absent"
	Excused PresenceStatus = "excuse"
)

// Label is the French name.
func (s PresenceStatus) Label() string {
	switch s {
	case Present:
		return "Présent"
	case Absent:
		return "Absent"
	case Excused:
		return "Excusé"
	}
	return string(s)
}

// AbsenceReasons offered in the register.
var AbsenceReasons = []string{"Maladie", "Hospitalisation", "Convenance personnelle", "Vacances", "Rendez-vous médical", "Transport non assuré", "Sans motif connu"}

// Presence is one line of the register.
type Presence struct {
	EstablishmentID uuid.UUID
	UsagerID        uuid.UUID
	Day             time.Time // midnight UTC
	Half            Half      // HalfWhole unless the establishment counts half-days
	Mode            Mode      // accueil mode of this presence; "" when not said
	Status          PresenceStatus
	Reason          string
	RecordedBy      uuid.UUID
}

// ParsePresence checks one line as typed.
func ParsePresence(status, reason string) (PresenceStatus, string, string) {
	switch PresenceStatus(status) {
	case Present:
		return Present, "", ""
	case Excused:
		return Excused, reason, ""
	case Absent:
		if reason == "" {
			return Absent, "", "Indiquez le motif de l'absence."
		}
		return Absent, reason, ""
	}
	return "", "", "Choisissez présent, absent ou excusé."
}

// FrenchHolidays returns the public holidays of metropolitan France in year
// (Alsace-Moselle adds Good Friday and 26 December: not included).
func FrenchHolidays(year int) map[time.Time]string {
	d := func(m time.Month, day int) time.Time { return time.Date(year, m, day, 0, 0, 0, 0, time.UTC) }
	easter := easterSunday(year)
	return map[time.Time]string{
		d(time.January, 1):       "Jour de l'an",
		easter.AddDate(0, 0, 1):  "Lundi de Pâques",
		d(time.May, 1):           "Fête du travail",
		d(time.May, 8):           "Victoire 1945",
		easter.AddDate(0, 0, 39): "Ascension",
		easter.AddDate(0, 0, 50): "Lundi de Pentecôte",
		d(time.July, 14):         "Fête nationale",
		d(time.August, 15):       "Assomption",
		d(time.November, 1):      "Toussaint",
		d(time.November, 11):     "Armistice 1918",
		d(time.December, 25):     "Noël",
	}
}

// easterSunday is the Gregorian Easter date (anonymous algorithm).
func easterSunday(year int) time.Time {
	a, b, c := year%19, year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

// OpenDays lists the days a day service is open in a month under the
// default opening (Monday to Friday, public holidays excepted).
func OpenDays(year int, month time.Month) []time.Time {
	return DefaultOpening(uuid.Nil).OpenDays(year, month)
}

// Half is the part of a day a register line covers.
type Half string

// Halves of a day.
const (
	HalfWhole     Half = "jour"
	HalfMorning   Half = "matin"
	HalfAfternoon Half = "apres_midi"
)

// Label is the French name.
func (h Half) Label() string {
	switch h {
	case HalfMorning:
		return "Matin"
	case HalfAfternoon:
		return "Après-midi"
	}
	return "Journée"
}

// ModeAmbulatoire is the ambulatory support of a SESSAD or a DITEP's
// ambulatory service (the person is seen where they live or at school).
// The stays' modes (stay.go) do not list it: it is offered where presence
// is recorded.
const ModeAmbulatoire Mode = "ambulatoire"

// AccueilModes are the modes an establishment may declare for its
// register (DITEP: internat, semi-internat, externat, accueil de jour,
// ambulatoire/SESSAD; accueil séquentiel).
var AccueilModes = []Mode{ModeInternat, ModeSemiInt, ModeExternat, ModeJour, ModeSequentiel, ModeAmbulatoire}

// AccueilModeLabel is the French name of an accueil mode.
func AccueilModeLabel(m Mode) string {
	if m == ModeAmbulatoire {
		return "Ambulatoire (SESSAD)"
	}
	if m == "" {
		return "Non précisé"
	}
	return m.Label()
}

func validAccueilMode(m Mode) bool {
	for _, k := range AccueilModes {
		if k == m {
			return true
		}
	}
	return false
}

// Closure is a period an establishment is closed (summer closure…), both
// days included.
type Closure struct {
	ID          uuid.UUID
	First, Last time.Time // midnight UTC
	Label       string
}

// Opening is when an establishment receives people: the weekdays it is
// open, whether it opens on public holidays, its closure periods, whether
// its register counts half-days, and the accueil modes it offers. An
// internat or an EHPAD is open every day including holidays; a DITEP
// externat Monday to Friday outside holidays and its summer closure.
type Opening struct {
	EstablishmentID uuid.UUID
	Weekdays        [7]bool // indexed by time.Weekday (Sunday = 0)
	OpenOnHolidays  bool
	HalfDays        bool
	Modes           []Mode
	Closures        []Closure // by first day
	Stored          bool      // false: the defaults, never set
}

// DefaultOpening is the opening of an establishment whose settings were
// never set: Monday to Friday, closed on public holidays, whole days.
func DefaultOpening(estab uuid.UUID) Opening {
	o := Opening{EstablishmentID: estab}
	for d := time.Monday; d <= time.Friday; d++ {
		o.Weekdays[d] = true
	}
	return o
}

// (WeekdayOrder, Monday first, is shared with the medication register.)

// (WeekdayLabel, the French name of a weekday, is shared with the care plan.)

// ClosedReason says why the establishment is closed on day ("" when open).
func (o Opening) ClosedReason(day time.Time) string {
	day = planDay(day)
	for _, c := range o.Closures {
		if !day.Before(c.First) && !day.After(c.Last) {
			return c.Label
		}
	}
	if name, ok := FrenchHolidays(day.Year())[day]; ok && !o.OpenOnHolidays {
		return name + " (jour férié)"
	}
	if !o.Weekdays[day.Weekday()] {
		return "Fermé le " + WeekdayLabel(day.Weekday())
	}
	return ""
}

// Open reports whether the establishment is open on day.
func (o Opening) Open(day time.Time) bool { return o.ClosedReason(day) == "" }

// OpenDays lists the open days of a month.
func (o Opening) OpenDays(year int, month time.Month) []time.Time {
	var out []time.Time
	for day := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC); day.Month() == month; day = day.AddDate(0, 0, 1) {
		if o.Open(day) {
			out = append(out, day)
		}
	}
	return out
}

// Halves are the register lines of a day: the whole day, or morning and
// afternoon.
func (o Opening) Halves() []Half {
	if o.HalfDays {
		return []Half{HalfMorning, HalfAfternoon}
	}
	return []Half{HalfWhole}
}

// Unit is the French name of what the register counts.
func (o Opening) Unit() string {
	if o.HalfDays {
		return "demi-journées"
	}
	return "jours"
}

// Describe says the opening in a French phrase.
func (o Opening) Describe() string {
	var open []string
	for _, d := range WeekdayOrder {
		if o.Weekdays[d] {
			open = append(open, WeekdayLabel(d))
		}
	}
	var s string
	switch {
	case len(open) == 7:
		s = "7 jours sur 7"
	case len(open) == 5 && o.Weekdays[time.Monday] && o.Weekdays[time.Friday] && !o.Weekdays[time.Saturday] && !o.Weekdays[time.Sunday]:
		s = "du lundi au vendredi"
	default:
		s = "le " + strings.Join(open, ", ")
	}
	if o.OpenOnHolidays {
		s += ", jours fériés compris"
	} else {
		s += ", jours fériés exclus"
	}
	if o.HalfDays {
		s += ", par demi-journées"
	}
	return s
}

// HasMode reports whether the establishment declared mode m.
func (o Opening) HasMode(m Mode) bool {
	for _, k := range o.Modes {
		if k == m {
			return true
		}
	}
	return false
}

// OpeningInput is the opening settings form.
type OpeningInput struct {
	Weekdays       []string // "1" Monday … "7" Sunday
	OpenOnHolidays bool
	HalfDays       bool
	Modes          []string
}

// Parse checks the form.
func (in OpeningInput) Parse(estab uuid.UUID) (Opening, error) {
	var v ValidationError
	o := Opening{EstablishmentID: estab, OpenOnHolidays: in.OpenOnHolidays, HalfDays: in.HalfDays, Stored: true}
	for _, w := range in.Weekdays {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > 7 {
			v.Add("weekdays", "Jour de la semaine inconnu.")
			continue
		}
		o.Weekdays[time.Weekday(n%7)] = true
	}
	if o.Weekdays == [7]bool{} {
		v.Add("weekdays", "Cochez au moins un jour d'ouverture.")
	}
	seen := map[Mode]bool{}
	for _, m := range in.Modes {
		mode := Mode(m)
		if !validAccueilMode(mode) {
			v.Add("modes", "Mode d'accueil inconnu : choisissez-les dans la liste.")
			continue
		}
		if !seen[mode] {
			o.Modes = append(o.Modes, mode)
			seen[mode] = true
		}
	}
	return o, v.Err()
}

// WeekdayDigits encodes the open weekdays as ISO digits ("12345").
func (o Opening) WeekdayDigits() string {
	var b strings.Builder
	for i, d := range WeekdayOrder {
		if o.Weekdays[d] {
			b.WriteByte(byte('1' + i))
		}
	}
	return b.String()
}

// SetWeekdayDigits decodes WeekdayDigits.
func (o *Opening) SetWeekdayDigits(s string) {
	o.Weekdays = [7]bool{}
	for _, r := range s {
		if r >= '1' && r <= '7' {
			o.Weekdays[WeekdayOrder[r-'1']] = true
		}
	}
}

// ClosureInput is a closure period as typed.
type ClosureInput struct {
	First, Last, Label string
}

// Parse checks a closure period: dates in order, at most a year, a label.
func (in ClosureInput) Parse() (Closure, error) {
	var v ValidationError
	c := Closure{Label: strings.TrimSpace(in.Label)}
	first, okF := parseDateField(&v, "first", in.First, true, "Le premier jour de fermeture")
	last, okL := parseDateField(&v, "last", in.Last, true, "Le dernier jour de fermeture")
	if okF && okL {
		switch {
		case last.Before(first):
			v.Add("last", "Le dernier jour ne peut pas précéder le premier.")
		case last.After(first.AddDate(1, 0, 0)):
			v.Add("last", "Une période de fermeture dure au plus un an.")
		}
		c.First, c.Last = first, last
	}
	if c.Label == "" {
		v.Add("label", "Nommez la fermeture (ex. fermeture estivale).")
	} else if len(c.Label) > 200 {
		v.Add("label", "Le nom de la fermeture est trop long (200 caractères au plus).")
	}
	return c, v.Err()
}

// PresenceSummary is one person's month, counted in days, or in half-days
// where the establishment counts half-days.
type PresenceSummary struct {
	UsagerID   uuid.UUID
	Expected   int // open days (or half-days) while admitted
	Present    int
	Excused    int
	Absent     int
	ByReason   map[string]int // absences by reason
	ByMode     map[Mode]int   // presences by accueil mode
	Unrecorded int            // open days (half-days) while admitted with nothing recorded
}

// Rate is the presence rate over the expected days, in percent.
func (s PresenceSummary) Rate() int {
	if s.Expected == 0 {
		return 0
	}
	return (100*s.Present + s.Expected/2) / s.Expected
}

// Add adds o's counts to s (the establishment's total).
func (s *PresenceSummary) Add(o PresenceSummary) {
	s.Expected += o.Expected
	s.Present += o.Present
	s.Excused += o.Excused
	s.Absent += o.Absent
	s.Unrecorded += o.Unrecorded
	if s.ByReason == nil {
		s.ByReason = map[string]int{}
	}
	if s.ByMode == nil {
		s.ByMode = map[Mode]int{}
	}
	for k, n := range o.ByReason {
		s.ByReason[k] += n
	}
	for k, n := range o.ByMode {
		s.ByMode[k] += n
	}
}

// SummarizePresence counts a month for each person, in the order given,
// against the establishment's opening. admitted tells, for a person,
// whether they were admitted on a day; lines outside open days (a Saturday
// outing, a day of a closure) count as present or absent but not as
// expected days. Where the establishment counts half-days, a whole-day
// line counts for both halves.
func SummarizePresence(o Opening, year int, month time.Month, people []uuid.UUID, admitted func(uuid.UUID, time.Time) bool, lines []Presence) []PresenceSummary {
	type key struct {
		day  time.Time
		half Half
	}
	byKey := map[uuid.UUID]map[key]Presence{}
	for _, l := range lines {
		if byKey[l.UsagerID] == nil {
			byKey[l.UsagerID] = map[key]Presence{}
		}
		if l.Half == "" {
			l.Half = HalfWhole
		}
		byKey[l.UsagerID][key{l.Day, l.Half}] = l
	}
	open := o.OpenDays(year, month)
	halves := o.Halves()
	out := make([]PresenceSummary, 0, len(people))
	for _, u := range people {
		s := PresenceSummary{UsagerID: u, ByReason: map[string]int{}, ByMode: map[Mode]int{}}
		for _, day := range open {
			if !admitted(u, day) {
				continue
			}
			for _, h := range halves {
				s.Expected++
				_, line := byKey[u][key{day, h}]
				_, whole := byKey[u][key{day, HalfWhole}]
				if !line && !whole {
					s.Unrecorded++
				}
			}
		}
		for k, l := range byKey[u] {
			n := 1
			if o.HalfDays && k.half == HalfWhole {
				n = 2
			}
			switch l.Status {
			case Present:
				s.Present += n
				s.ByMode[l.Mode] += n
			case Excused:
				s.Excused += n
			case Absent:
				s.Absent += n
				s.ByReason[l.Reason] += n
			}
		}
		out = append(out, s)
	}
	return out
}

// CoordinationTx is the repository of the coordination settings and
// meetings: the opening of establishments (the presence register counts
// against it) and staff meetings (meeting.go).
type CoordinationTx interface {
	// Opening of an establishment: its stored settings with their closure
	// periods, or DefaultOpening when never set.
	Opening(estab uuid.UUID) (Opening, error)
	// SaveOpening stores the settings (closures aside) set by user by.
	SaveOpening(o Opening, by uuid.UUID) error
	AddClosure(estab uuid.UUID, c *Closure) error
	DeleteClosure(estab, id uuid.UUID) error
	// StayModes gives the accueil mode of the stays of estab covering day,
	// per usager: the register's default mode for each line.
	StayModes(estab uuid.UUID, day time.Time) (map[uuid.UUID]Mode, error)

	MeetingTx
}
