package domain

import (
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

// OpenDays lists the days a day service is open in a month: Monday to
// Friday, public holidays excepted.
func OpenDays(year int, month time.Month) []time.Time {
	holidays := FrenchHolidays(year)
	var out []time.Time
	for day := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC); day.Month() == month; day = day.AddDate(0, 0, 1) {
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if _, ok := holidays[day]; ok {
			continue
		}
		out = append(out, day)
	}
	return out
}

// PresenceSummary is one person's month.
type PresenceSummary struct {
	UsagerID   uuid.UUID
	Expected   int // open days while admitted
	Present    int
	Excused    int
	Absent     int
	ByReason   map[string]int // absences by reason
	Unrecorded int            // open days while admitted with nothing recorded
}

// Rate is the presence rate over the expected days, in percent.
func (s PresenceSummary) Rate() int {
	if s.Expected == 0 {
		return 0
	}
	return (100*s.Present + s.Expected/2) / s.Expected
}

// SummarizePresence counts a month for each person, in the order given.
// admitted tells, for a
// person, whether they were admitted on a day; lines outside open days
// (a Saturday outing) count as present or absent but not as expected days.
func SummarizePresence(year int, month time.Month, people []uuid.UUID, admitted func(uuid.UUID, time.Time) bool, lines []Presence) []PresenceSummary {
	byKey := map[uuid.UUID]map[time.Time]Presence{}
	for _, l := range lines {
		if byKey[l.UsagerID] == nil {
			byKey[l.UsagerID] = map[time.Time]Presence{}
		}
		byKey[l.UsagerID][l.Day] = l
	}
	open := OpenDays(year, month)
	out := make([]PresenceSummary, 0, len(people))
	for _, u := range people {
		s := PresenceSummary{UsagerID: u, ByReason: map[string]int{}}
		for _, day := range open {
			if !admitted(u, day) {
				continue
			}
			s.Expected++
			if _, ok := byKey[u][day]; !ok {
				s.Unrecorded++
			}
		}
		for _, l := range byKey[u] {
			switch l.Status {
			case Present:
				s.Present++
			case Excused:
				s.Excused++
			case Absent:
				s.Absent++
				s.ByReason[l.Reason]++
			}
		}
		out = append(out, s)
	}
	return out
}
