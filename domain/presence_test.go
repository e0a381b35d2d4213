package domain

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestFrenchHolidaysAndOpenDays(t *testing.T) {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	h := FrenchHolidays(2026)
	for day, name := range map[time.Time]string{d(2026, 4, 6): "Lundi de Pâques", d(2026, 5, 14): "Ascension", d(2026, 5, 25): "Lundi de Pentecôte", d(2026, 11, 11): "Armistice 1918"} {
		if h[day] != name {
			t.Errorf("%s: %q, want %q", day.Format("2006-01-02"), h[day], name)
		}
	}
	if got := easterSunday(2024); !got.Equal(d(2024, 3, 31)) {
		t.Errorf("Easter 2024 = %s", got.Format("2006-01-02"))
	}
	tests := []struct {
		year  int
		month time.Month
		want  int
	}{
		{2026, time.November, 20}, // 21 weekdays, 11 November on a Wednesday (1 November is a Sunday)
		{2026, time.May, 17},      // 21 weekdays minus 1 May, 8 May, Ascension 14, Pentecost Monday 25
		{2026, time.February, 20},
	}
	for _, tc := range tests {
		if got := len(OpenDays(tc.year, tc.month)); got != tc.want {
			t.Errorf("open days %d-%02d: %d, want %d", tc.year, tc.month, got, tc.want)
		}
	}
}

func TestSummarizePresence(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	day := func(n int) time.Time { return time.Date(2026, time.November, n, 0, 0, 0, 0, time.UTC) }
	lines := []Presence{
		{UsagerID: a, Day: day(2), Status: Present}, {UsagerID: a, Day: day(3), Status: Absent, Reason: "Maladie"},
		{UsagerID: a, Day: day(4), Status: Absent, Reason: "Maladie"}, {UsagerID: a, Day: day(5), Status: Excused},
		{UsagerID: b, Day: day(20), Status: Present},
	}
	admitted := func(u uuid.UUID, d time.Time) bool { return u == a || !d.Before(day(16)) } // b admitted on the 16th
	got := SummarizePresence(DefaultOpening(uuid.Nil), 2026, time.November, []uuid.UUID{a, b}, admitted, lines)
	if got[0].Expected != 20 || got[0].Present != 1 || got[0].Absent != 2 || got[0].ByReason["Maladie"] != 2 || got[0].Excused != 1 || got[0].Unrecorded != 16 {
		t.Errorf("a: %+v", got[0])
	}
	if got[1].Expected != 11 || got[1].Present != 1 || got[1].Unrecorded != 10 || got[1].Rate() != 9 {
		t.Errorf("b: %+v rate %d", got[1], got[1].Rate())
	}
}

// The monthly summary against each kind of opening: the default (holidays
// closed), 7/7 with holidays, a closure period, half-days with modes.
func TestSummarizePresenceByOpening(t *testing.T) {
	a := uuid.New()
	day := func(n int) time.Time { return time.Date(2026, time.November, n, 0, 0, 0, 0, time.UTC) }
	always := func(uuid.UUID, time.Time) bool { return true }
	weekdays := DefaultOpening(uuid.Nil)
	everyDay := Opening{OpenOnHolidays: true}
	for d := range everyDay.Weekdays {
		everyDay.Weekdays[d] = true
	}
	closed := DefaultOpening(uuid.Nil)
	closed.Closures = []Closure{{First: day(23), Last: day(30), Label: "Fermeture d'automne"}}
	halves := DefaultOpening(uuid.Nil)
	halves.HalfDays, halves.Modes = true, []Mode{ModeSemiInt, ModeExternat}
	tests := []struct {
		name    string
		opening Opening
		lines   []Presence
		want    PresenceSummary
	}{
		{"weekdays, 11 November closed", weekdays,
			[]Presence{{UsagerID: a, Day: day(10), Status: Present}, {UsagerID: a, Day: day(11), Status: Present}},
			// the holiday line counts as present but not as an expected day
			PresenceSummary{Expected: 20, Present: 2, Unrecorded: 19}},
		{"7/7 with holidays", everyDay,
			[]Presence{{UsagerID: a, Day: day(1), Status: Present, Mode: ModeInternat}, {UsagerID: a, Day: day(11), Status: Absent, Reason: "Maladie"}},
			PresenceSummary{Expected: 30, Present: 1, Absent: 1, Unrecorded: 28}},
		{"closure from the 23rd", closed,
			[]Presence{{UsagerID: a, Day: day(20), Status: Excused}},
			PresenceSummary{Expected: 14, Excused: 1, Unrecorded: 13}},
		{"half-days", halves,
			[]Presence{
				{UsagerID: a, Day: day(2), Half: HalfMorning, Status: Present, Mode: ModeSemiInt},
				{UsagerID: a, Day: day(2), Half: HalfAfternoon, Status: Absent, Reason: "Rendez-vous médical"},
				{UsagerID: a, Day: day(3), Half: HalfMorning, Status: Present, Mode: ModeExternat},
				{UsagerID: a, Day: day(4), Status: Present, Mode: ModeSemiInt}, // a whole-day line counts twice
			},
			PresenceSummary{Expected: 40, Present: 4, Absent: 1, Unrecorded: 35}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SummarizePresence(tc.opening, 2026, time.November, []uuid.UUID{a}, always, tc.lines)[0]
			if got.Expected != tc.want.Expected || got.Present != tc.want.Present || got.Absent != tc.want.Absent ||
				got.Excused != tc.want.Excused || got.Unrecorded != tc.want.Unrecorded {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	got := SummarizePresence(halves, 2026, time.November, []uuid.UUID{a}, always, tests[3].lines)[0]
	if got.ByMode[ModeSemiInt] != 3 || got.ByMode[ModeExternat] != 1 || got.ByReason["Rendez-vous médical"] != 1 {
		t.Errorf("half-days by mode %v, by reason %v", got.ByMode, got.ByReason)
	}
}

func TestOpeningRules(t *testing.T) {
	day := func(m time.Month, n int) time.Time { return time.Date(2026, m, n, 0, 0, 0, 0, time.UTC) }
	o, err := OpeningInput{Weekdays: []string{"1", "2", "3", "4", "5", "6", "7"}, OpenOnHolidays: true, Modes: []string{"internat", "internat"}}.Parse(uuid.Nil)
	if err != nil || o.WeekdayDigits() != "1234567" || len(o.Modes) != 1 || o.Describe() != "7 jours sur 7, jours fériés compris" {
		t.Errorf("7/7: %v %q %v %q", err, o.WeekdayDigits(), o.Modes, o.Describe())
	}
	if _, err := (OpeningInput{}).Parse(uuid.Nil); err == nil {
		t.Error("an opening without any day accepted")
	}
	if _, err := (OpeningInput{Weekdays: []string{"1"}, Modes: []string{"piscine"}}).Parse(uuid.Nil); err == nil {
		t.Error("an unknown mode accepted")
	}
	def := DefaultOpening(uuid.Nil)
	if r := def.ClosedReason(day(time.July, 14)); r != "Fête nationale (jour férié)" {
		t.Errorf("14 July: %q", r)
	}
	if r := def.ClosedReason(day(time.November, 21)); r != "Fermé le samedi" {
		t.Errorf("a Saturday: %q", r)
	}
	var back Opening
	back.SetWeekdayDigits(def.WeekdayDigits())
	if back.Weekdays != def.Weekdays {
		t.Errorf("weekday digits do not round-trip: %q", def.WeekdayDigits())
	}
	for _, tc := range []struct {
		in    ClosureInput
		field string
	}{
		{ClosureInput{First: "2026-08-01", Last: "2026-07-01", Label: "Été"}, "last"},
		{ClosureInput{First: "2026-08-01", Last: "2027-09-01", Label: "Été"}, "last"},
		{ClosureInput{First: "2026-08-01", Last: "2026-08-31"}, "label"},
		{ClosureInput{Last: "2026-08-31", Label: "Été"}, "first"},
	} {
		_, err := tc.in.Parse()
		if v, ok := AsValidation(err); !ok || v.Fields[tc.field] == "" {
			t.Errorf("%+v: %v, want a message on %s", tc.in, err, tc.field)
		}
	}
}
