package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

func day(s string) time.Time {
	d, _ := ParseDate(s)
	return d
}

// Occurrences of a day follow the weekdays, moments and exact time of each
// act, its dates and its stop; marks attach to their slot, and a mark the
// schedule no longer yields still shows.
func TestOccurrencesExpandTheSchedule(t *testing.T) {
	// 2026-11-23 is a Monday.
	weekdays := []time.Weekday{time.Monday, time.Wednesday, time.Friday}
	everyDay := WeekdaysMondayFirst
	toilette := CareAct{ID: uuid.New(), Kind: CareToilette, Weekdays: everyDay, Moments: []Moment{MomentMorning}, Start: day("2026-11-01"), UsagerName: "B"}
	pansement := CareAct{ID: uuid.New(), Kind: CarePansement, Weekdays: weekdays, Moments: []Moment{MomentMorning, MomentEvening}, Start: day("2026-11-01"), UsagerName: "A"}
	injection := CareAct{ID: uuid.New(), Kind: CareInjection, Weekdays: everyDay, At: "14:30", Start: day("2026-11-20"), End: day("2026-11-25"), UsagerName: "A"}
	stopped := CareAct{ID: uuid.New(), Kind: CareDouche, Weekdays: everyDay, Moments: []Moment{MomentNight}, Start: day("2026-11-01"),
		StoppedAt: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), UsagerName: "C"}
	acts := []CareAct{toilette, pansement, injection, stopped}
	tests := []struct {
		name  string
		day   string
		marks []CareMark
		want  []string // kind@slot in order
	}{
		{"monday: every act, night of a stopped act gone", "2026-11-23", nil,
			[]string{"pansement@matin", "toilette_complete@matin", "injection@14:30", "pansement@soir"}},
		{"tuesday: no dressing", "2026-11-24", nil,
			[]string{"toilette_complete@matin", "injection@14:30"}},
		{"before the injection starts, stopped act still due the day before its stop", "2026-11-19", nil,
			[]string{"toilette_complete@matin", "douche@nuit"}},
		{"after the injection's end", "2026-11-26", nil,
			[]string{"toilette_complete@matin"}},
		{"a mark of the stopped act's night stays listed", "2026-11-23",
			[]CareMark{{ActID: stopped.ID, Day: day("2026-11-23"), Slot: "nuit", Done: true}},
			[]string{"pansement@matin", "toilette_complete@matin", "injection@14:30", "pansement@soir", "douche@nuit"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			occ := Occurrences(acts, tc.marks, day(tc.day))
			var got []string
			for _, o := range occ {
				got = append(got, string(o.Act.Kind)+"@"+o.Slot)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			for _, o := range occ {
				if (o.Mark != nil) != (len(tc.marks) > 0 && o.Act.ID == stopped.ID) {
					t.Errorf("mark attached to %s@%s: %v", o.Act.Kind, o.Slot, o.Mark)
				}
			}
		})
	}
}

func TestMomentOfExactTimes(t *testing.T) {
	for in, want := range map[string]Moment{"05:59": MomentNight, "06:00": MomentMorning, "11:29": MomentMorning, "12:00": MomentNoon,
		"14:30": MomentAfternoon, "19:00": MomentEvening, "22:00": MomentNight, "23:59": MomentNight} {
		if got := MomentOf(in); got != want {
			t.Errorf("MomentOf(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestCareActInputValidation(t *testing.T) {
	estab := uuid.New()
	ok := CareActInput{EstablishmentID: estab.String(), Kind: "pansement", Label: "jambe gauche", Weekdays: []string{"1", "3", "5"},
		Moments: []string{"matin"}, Start: "2026-11-23", Instructions: "Bétadine, compresses"}
	tests := []struct {
		name   string
		change func(*CareActInput)
		field  string // "" when valid
	}{
		{"valid", func(*CareActInput) {}, ""},
		{"exact time only", func(in *CareActInput) { in.Moments, in.At = nil, "14:30" }, ""},
		{"other establishment", func(in *CareActInput) { in.EstablishmentID = uuid.NewString() }, "establishment_id"},
		{"unknown kind", func(in *CareActInput) { in.Kind = "massage" }, "kind"},
		{"other without label", func(in *CareActInput) { in.Kind, in.Label = "autre", "" }, "label"},
		{"no weekday", func(in *CareActInput) { in.Weekdays = nil }, "weekdays"},
		{"bad weekday", func(in *CareActInput) { in.Weekdays = []string{"8"} }, "weekdays"},
		{"neither moment nor time", func(in *CareActInput) { in.Moments = nil }, "moments"},
		{"bad time", func(in *CareActInput) { in.At = "25:00" }, "at"},
		{"no start", func(in *CareActInput) { in.Start = "" }, "start"},
		{"end before start", func(in *CareActInput) { in.End = "2026-11-01" }, "end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok
			tc.change(&in)
			a, err := in.Parse([]uuid.UUID{estab})
			v, isV := AsValidation(err)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if a.Title() == "" || a.ScheduleLabel() == "" {
					t.Errorf("empty title or schedule: %+v", a)
				}
				return
			}
			if !isV || v.Fields[tc.field] == "" {
				t.Fatalf("want a message on %s, got %v", tc.field, err)
			}
		})
	}
	a, _ := ok.Parse([]uuid.UUID{estab})
	if got := a.ScheduleLabel(); got != "lundi, mercredi, vendredi · matin" {
		t.Errorf("schedule label %q", got)
	}
	if got := a.Title(); got != "Pansement — jambe gauche" {
		t.Errorf("title %q", got)
	}
}

func TestCareMarkInputValidation(t *testing.T) {
	act := CareAct{ID: uuid.New(), Kind: CareChange, Weekdays: []time.Weekday{time.Monday}, Moments: []Moment{MomentMorning}, At: "14:30", Start: day("2026-11-01")}
	tests := []struct {
		name  string
		in    CareMarkInput
		field string
	}{
		{"done", CareMarkInput{Day: "2026-11-23", Slot: "matin", State: "fait"}, ""},
		{"done at the exact time", CareMarkInput{Day: "2026-11-23", Slot: "14:30", State: "fait"}, ""},
		{"not done with reason", CareMarkInput{Day: "2026-11-23", Slot: "matin", State: "non_fait", Reason: "refus"}, ""},
		{"not done without reason", CareMarkInput{Day: "2026-11-23", Slot: "matin", State: "non_fait"}, "reason"},
		{"other reason without text", CareMarkInput{Day: "2026-11-23", Slot: "matin", State: "non_fait", Reason: "autre"}, "reason_text"},
		{"no state", CareMarkInput{Day: "2026-11-23", Slot: "matin"}, "state"},
		{"a day it is not due", CareMarkInput{Day: "2026-11-24", Slot: "matin", State: "fait"}, "day"},
		{"a slot it does not have", CareMarkInput{Day: "2026-11-23", Slot: "soir", State: "fait"}, "slot"},
		{"correction without reason", CareMarkInput{Day: "2026-11-23", Slot: "matin", State: "fait", Correction: true}, "correction_reason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _, err := tc.in.Parse(act, false)
			v, isV := AsValidation(err)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if m.ActID != act.ID || m.Done != (tc.in.State == "fait") {
					t.Errorf("mark %+v", m)
				}
				return
			}
			if !isV || v.Fields[tc.field] == "" {
				t.Fatalf("want a message on %s, got %v", tc.field, err)
			}
		})
	}
}

func TestMoveStopRenumbers(t *testing.T) {
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	stops := []RoundStop{{UsagerID: a, Position: 1}, {UsagerID: b, Position: 2}, {UsagerID: c, Position: 3}}
	got := MoveStop(stops, 2, -1)
	if got[1].UsagerID != c || got[2].UsagerID != b || got[2].Position != 3 || stops[2].UsagerID != c {
		t.Errorf("move up: %+v (input changed: %v)", got, stops[2].UsagerID != c)
	}
	if got := MoveStop(stops, 0, -1); got[0].UsagerID != a {
		t.Errorf("moving the first stop up changed the order")
	}
}
