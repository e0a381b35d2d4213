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
	got := SummarizePresence(2026, time.November, []uuid.UUID{a, b}, admitted, lines)
	if got[0].Expected != 20 || got[0].Present != 1 || got[0].Absent != 2 || got[0].ByReason["Maladie"] != 2 || got[0].Excused != 1 || got[0].Unrecorded != 16 {
		t.Errorf("a: %+v", got[0])
	}
	if got[1].Expected != 11 || got[1].Present != 1 || got[1].Unrecorded != 10 || got[1].Rate() != 9 {
		t.Errorf("b: %+v rate %d", got[1], got[1].Rate())
	}
}
