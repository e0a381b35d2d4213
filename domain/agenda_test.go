package domain

import (
	"testing"
	"time"
)

func TestOccurrences(t *testing.T) {
	paris := Paris()
	start := time.Date(2026, 10, 19, 10, 0, 0, 0, paris).UTC() // a Monday, before the switch to winter time
	e := Event{Start: start, Recurrence: RecurWeekly, RecurUntil: time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)}
	got := e.Occurrences(time.Date(2026, 10, 1, 0, 0, 0, 0, paris), time.Date(2026, 12, 1, 0, 0, 0, 0, paris))
	if len(got) != 4 {
		t.Fatalf("%d weekly occurrences, want 4 (19/10 to 9/11 inclusive)", len(got))
	}
	for _, at := range got {
		if h := at.In(paris).Hour(); h != 10 {
			t.Errorf("occurrence %s at %dh Paris time, want 10h across the time change", at, h)
		}
	}
	if n := len(e.Occurrences(time.Date(2026, 10, 26, 0, 0, 0, 0, paris), time.Date(2026, 10, 27, 0, 0, 0, 0, paris))); n != 1 {
		t.Errorf("one day window: %d occurrences, want 1", n)
	}
	once := Event{Start: start}
	if n := len(once.Occurrences(start.Add(time.Minute), start.Add(time.Hour))); n != 0 {
		t.Errorf("a single event outside the window: %d occurrences", n)
	}
	daily := Event{Start: start, Recurrence: RecurDaily, RecurUntil: time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC)}
	if n := len(daily.Occurrences(start, start.AddDate(0, 1, 0))); n != 7 {
		t.Errorf("daily 19–25 October: %d occurrences, want 7", n)
	}
}

func TestEventRecurrenceInput(t *testing.T) {
	base := EventInput{Section: "care", Type: "rendez_vous", Title: "Kinésithérapie", Start: "2026-11-23T10:00", Status: "PLANIFIE"}
	tests := []struct {
		name, recurrence, until, field string
	}{
		{"weekly without end", "hebdomadaire", "", "recur_until"},
		{"end before start", "hebdomadaire", "2026-11-01", "recur_until"},
		{"more than a year", "quotidienne", "2028-01-01", "recur_until"},
		{"unknown", "mensuelle", "2026-12-01", "recurrence"},
	}
	for _, tc := range tests {
		in := base
		in.Recurrence, in.RecurUntil = tc.recurrence, tc.until
		_, err := in.Parse()
		if v, ok := AsValidation(err); !ok || v.Fields[tc.field] == "" {
			t.Errorf("%s: want a message on %s, got %v", tc.name, tc.field, err)
		}
	}
	in := base
	in.Recurrence, in.RecurUntil = "hebdomadaire", "2027-02-01"
	if e, err := in.Parse(); err != nil || e.Recurrence != RecurWeekly {
		t.Errorf("valid weekly event: %+v %v", e, err)
	}
}
