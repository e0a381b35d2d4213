package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// paris builds an instant from a Paris wall clock.
func paris(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, domain.Paris()).UTC()
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func validRx() domain.PrescriptionInput {
	return domain.PrescriptionInput{EstablishmentID: uuid.NewString(), Drug: "Furosémide 40 mg, comprimé", Unit: "comprimé", Route: "per_os",
		IntakeTimes: []string{"08:00", "", "18:00"}, IntakeQuantity: []string{"1", "", "0,5"}, Start: "2026-11-20", End: "2026-12-20",
		Prescriber: "Dr Anne Lemoine", RPPS: "10003012340", OrderDate: "2026-11-19"}
}

func TestPrescriptionParse(t *testing.T) {
	asNeeded := func(in domain.PrescriptionInput) domain.PrescriptionInput {
		in.AsNeeded, in.IntakeTimes, in.IntakeQuantity = true, nil, nil
		in.Condition, in.Dose, in.MaxPer24h, in.MinInterval = "Douleur EVA ≥ 4", "1", "4", "6"
		return in
	}
	cases := []struct {
		name  string
		edit  func(*domain.PrescriptionInput)
		field string // "" when valid
	}{
		{"valid scheduled", func(*domain.PrescriptionInput) {}, ""},
		{"valid si besoin", func(in *domain.PrescriptionInput) { *in = asNeeded(*in) }, ""},
		{"valid CIP13", func(in *domain.PrescriptionInput) { in.Code, in.CodeSystem = "3400930000014", "CIP13" }, ""},
		{"valid UCD7", func(in *domain.PrescriptionInput) { in.Code, in.CodeSystem = "9001234", "UCD" }, ""},
		{"valid UCD13", func(in *domain.PrescriptionInput) { in.Code, in.CodeSystem = "3400893001233", "UCD" }, ""},
		{"RPPS with spaces", func(in *domain.PrescriptionInput) { in.RPPS = "100 0301 2340" }, ""},
		{"no establishment", func(in *domain.PrescriptionInput) { in.EstablishmentID = "" }, "establishment_id"},
		{"no drug", func(in *domain.PrescriptionInput) { in.Drug = "  " }, "drug"},
		{"CIP13 bad key", func(in *domain.PrescriptionInput) { in.Code, in.CodeSystem = "3400930000015", "CIP13" }, "code"},
		{"CIP13 too short", func(in *domain.PrescriptionInput) { in.Code, in.CodeSystem = "340093000001", "CIP13" }, "code"},
		{"CIP13 not 3400", func(in *domain.PrescriptionInput) { in.Code, in.CodeSystem = "4006381333931", "CIP13" }, "code"},
		{"UCD 8 digits", func(in *domain.PrescriptionInput) { in.Code, in.CodeSystem = "90012345", "UCD" }, "code"},
		{"UCD13 bad key", func(in *domain.PrescriptionInput) { in.Code, in.CodeSystem = "3400893001234", "UCD" }, "code"},
		{"code without system", func(in *domain.PrescriptionInput) { in.Code = "3400930000014" }, "code"},
		{"unknown unit", func(in *domain.PrescriptionInput) { in.Unit = "poignée" }, "unit"},
		{"unknown route", func(in *domain.PrescriptionInput) { in.Route = "orale" }, "route"},
		{"no intake", func(in *domain.PrescriptionInput) { in.IntakeTimes, in.IntakeQuantity = nil, nil }, "intake_time_1"},
		{"bad intake time", func(in *domain.PrescriptionInput) { in.IntakeTimes[2] = "25:00" }, "intake_time_3"},
		{"intake without quantity", func(in *domain.PrescriptionInput) { in.IntakeQuantity[2] = "" }, "intake_qty_3"},
		{"negative quantity", func(in *domain.PrescriptionInput) { in.IntakeQuantity[0] = "-1" }, "intake_qty_1"},
		{"same time twice", func(in *domain.PrescriptionInput) { in.IntakeTimes[2] = "8h" }, "intake_time_3"},
		{"unknown weekday", func(in *domain.PrescriptionInput) { in.Weekdays = []string{"8"} }, "weekdays"},
		{"no start", func(in *domain.PrescriptionInput) { in.Start = "" }, "start"},
		{"end before start", func(in *domain.PrescriptionInput) { in.End = "2026-11-01" }, "end"},
		{"bad end", func(in *domain.PrescriptionInput) { in.End = "31/02/2026" }, "end"},
		{"start before the order", func(in *domain.PrescriptionInput) { in.OrderDate = "2026-11-21" }, "start"},
		{"no order date", func(in *domain.PrescriptionInput) { in.OrderDate = "" }, "order_date"},
		{"no prescriber", func(in *domain.PrescriptionInput) { in.Prescriber = "" }, "prescriber"},
		{"no RPPS", func(in *domain.PrescriptionInput) { in.RPPS = "" }, "rpps"},
		{"RPPS 10 digits", func(in *domain.PrescriptionInput) { in.RPPS = "1000301234" }, "rpps"},
		{"RPPS letters", func(in *domain.PrescriptionInput) { in.RPPS = "1000301234A" }, "rpps"},
		{"RPPS bad Luhn key", func(in *domain.PrescriptionInput) { in.RPPS = "10003012341" }, "rpps"},
		{"si besoin without condition", func(in *domain.PrescriptionInput) { *in = asNeeded(*in); in.Condition = "" }, "condition"},
		{"si besoin without dose", func(in *domain.PrescriptionInput) { *in = asNeeded(*in); in.Dose = "0" }, "dose"},
		{"si besoin without maximum", func(in *domain.PrescriptionInput) { *in = asNeeded(*in); in.MaxPer24h = "" }, "max_per_24h"},
		{"si besoin maximum 0", func(in *domain.PrescriptionInput) { *in = asNeeded(*in); in.MaxPer24h = "0" }, "max_per_24h"},
		{"si besoin bad interval", func(in *domain.PrescriptionInput) { *in = asNeeded(*in); in.MinInterval = "30" }, "min_interval"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validRx()
			in.IntakeTimes = append([]string{}, in.IntakeTimes...)
			in.IntakeQuantity = append([]string{}, in.IntakeQuantity...)
			c.edit(&in)
			p, err := in.Parse()
			v, _ := domain.AsValidation(err)
			if c.field == "" {
				if err != nil {
					t.Fatalf("valid input refused: %v", err)
				}
				return
			}
			if v == nil || v.Fields[c.field] == "" {
				t.Fatalf("want a message on %s, got %v", c.field, err)
			}
			_ = p
		})
	}
	p, err := validRx().Parse()
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Intakes) != 2 || p.Intakes[0].Minute != 8*60 || p.Intakes[1].Quantity != 0.5 || p.RPPS != "10003012340" {
		t.Errorf("parsed intakes: %+v", p.Intakes)
	}
	in := validRx()
	in.AsNeeded, in.Condition, in.Dose, in.MaxPer24h, in.MinInterval = true, "Douleur", "1", "4", "4,5"
	p, err = in.Parse()
	if err != nil || p.MinInterval != 4*time.Hour+30*time.Minute || len(p.Intakes) != 0 || p.MaxPer24h != 4 {
		t.Errorf("si besoin parsed: %+v %v", p, err)
	}
}

func TestScheduleExpansion(t *testing.T) {
	base := domain.Prescription{Unit: "comprimé", Intakes: []domain.Intake{{Minute: 8 * 60, Quantity: 1}, {Minute: 20*60 + 30, Quantity: 2}},
		Start: day(2026, 11, 20)}
	cases := []struct {
		name     string
		edit     func(*domain.Prescription)
		from, to time.Time
		want     []time.Time
	}{
		{"every day", func(*domain.Prescription) {}, day(2026, 11, 20), day(2026, 11, 21),
			[]time.Time{paris(2026, 11, 20, 8, 0), paris(2026, 11, 20, 20, 30), paris(2026, 11, 21, 8, 0), paris(2026, 11, 21, 20, 30)}},
		{"before start", func(*domain.Prescription) {}, day(2026, 11, 18), day(2026, 11, 19), nil},
		{"end date inclusive", func(p *domain.Prescription) { p.End = day(2026, 11, 21) }, day(2026, 11, 21), day(2026, 11, 23),
			[]time.Time{paris(2026, 11, 21, 8, 0), paris(2026, 11, 21, 20, 30)}},
		// 2026-11-23 is a Monday, 25 a Wednesday.
		{"chosen weekdays", func(p *domain.Prescription) { p.Weekdays = []time.Weekday{time.Monday, time.Wednesday} }, day(2026, 11, 22), day(2026, 11, 26),
			[]time.Time{paris(2026, 11, 23, 8, 0), paris(2026, 11, 23, 20, 30), paris(2026, 11, 25, 8, 0), paris(2026, 11, 25, 20, 30)}},
		{"stop cuts the later intakes", func(p *domain.Prescription) { p.StoppedAt = paris(2026, 11, 21, 12, 0) }, day(2026, 11, 21), day(2026, 11, 22),
			[]time.Time{paris(2026, 11, 21, 8, 0)}},
		{"si besoin has no planned intake", func(p *domain.Prescription) { p.AsNeeded = true }, day(2026, 11, 21), day(2026, 11, 21), nil},
		// Summer time ends on 2026-10-25: 08:00 in Paris is 06:00 UTC the day before, 07:00 UTC that day.
		{"time change keeps the wall clock", func(p *domain.Prescription) { p.Start = day(2026, 10, 24); p.Intakes = p.Intakes[:1] }, day(2026, 10, 24), day(2026, 10, 25),
			[]time.Time{time.Date(2026, 10, 24, 6, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 7, 0, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := base
			p.Intakes = append([]domain.Intake{}, base.Intakes...)
			c.edit(&p)
			got := p.Planned(c.from, c.to)
			if len(got) != len(c.want) {
				t.Fatalf("got %d intakes, want %d: %v", len(got), len(c.want), got)
			}
			for i := range got {
				if !got[i].At.Equal(c.want[i]) {
					t.Errorf("intake %d at %s, want %s", i, got[i].At, c.want[i])
				}
			}
		})
	}
	p := base
	if pi, ok := p.PlannedAt(paris(2026, 11, 22, 20, 30)); !ok || pi.Quantity != 2 {
		t.Errorf("PlannedAt 20:30: %v %v", pi, ok)
	}
	if _, ok := p.PlannedAt(paris(2026, 11, 22, 9, 0)); ok {
		t.Error("PlannedAt 09:00 found an intake that is not prescribed")
	}
}

// The "si besoin" maximum holds over any 24 hours, across midnight; the
// minimum interval holds before and after the dose.
func TestAsNeededRule(t *testing.T) {
	p := domain.Prescription{AsNeeded: true, MaxPer24h: 3, Dose: 1, Unit: "comprimé"}
	withGap := p
	withGap.MinInterval = 4 * time.Hour
	cases := []struct {
		name   string
		p      domain.Prescription
		given  []time.Time
		at     time.Time
		refuse string // part of the message, "" when allowed
	}{
		{"first dose", p, nil, paris(2026, 11, 22, 14, 10), ""},
		{"third in 24 h", p, []time.Time{paris(2026, 11, 22, 8, 0), paris(2026, 11, 22, 14, 0)}, paris(2026, 11, 22, 20, 0), ""},
		{"fourth in 24 h across midnight", p, []time.Time{paris(2026, 11, 22, 12, 0), paris(2026, 11, 22, 18, 0), paris(2026, 11, 22, 23, 30)},
			paris(2026, 11, 23, 2, 0), "maximum de 3 prises"},
		{"a new day does not reset the count", p, []time.Time{paris(2026, 11, 22, 21, 0), paris(2026, 11, 22, 22, 0), paris(2026, 11, 22, 23, 0)},
			paris(2026, 11, 23, 0, 30), "serait dépassé"},
		{"the oldest dose left the window", p, []time.Time{paris(2026, 11, 22, 2, 0), paris(2026, 11, 22, 18, 0), paris(2026, 11, 22, 23, 30)},
			paris(2026, 11, 23, 2, 0), ""},
		{"exactly 24 h later", p, []time.Time{paris(2026, 11, 22, 2, 0), paris(2026, 11, 22, 18, 0), paris(2026, 11, 22, 23, 30)},
			paris(2026, 11, 23, 2, 0).Add(-time.Nanosecond), "serait dépassé"},
		{"a late entry counts the doses after it", p, []time.Time{paris(2026, 11, 22, 16, 0), paris(2026, 11, 22, 20, 0), paris(2026, 11, 23, 1, 0)},
			paris(2026, 11, 22, 10, 0), "serait dépassé"},
		{"interval respected", withGap, []time.Time{paris(2026, 11, 22, 8, 0)}, paris(2026, 11, 22, 12, 0), ""},
		{"interval too short", withGap, []time.Time{paris(2026, 11, 22, 23, 0)}, paris(2026, 11, 23, 2, 0), "4 h au moins"},
		{"interval too short with a later dose", withGap, []time.Time{paris(2026, 11, 22, 14, 0)}, paris(2026, 11, 22, 11, 0), "4 h au moins"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := domain.CheckAsNeeded(c.p, c.given, c.at)
			if c.refuse == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			v, ok := domain.AsValidation(err)
			if !ok || !strings.Contains(v.Fields["dose"], c.refuse) {
				t.Fatalf("want a refusal with %q, got %v", c.refuse, err)
			}
		})
	}
	given := []time.Time{paris(2026, 11, 22, 12, 0), paris(2026, 11, 22, 18, 0), paris(2026, 11, 22, 23, 30)}
	now := paris(2026, 11, 23, 2, 0)
	if n := domain.RemainingAsNeeded(p, given, now); n != 0 {
		t.Errorf("remaining = %d, want 0", n)
	}
	if next := domain.NextAsNeeded(p, given, now); !next.Equal(paris(2026, 11, 23, 12, 0)) {
		t.Errorf("next = %s, want noon", next)
	}
	if next := domain.NextAsNeeded(withGap, given[:1], paris(2026, 11, 22, 13, 0)); !next.Equal(paris(2026, 11, 22, 16, 0)) {
		t.Errorf("next with interval = %s", next)
	}
	if next := domain.NextAsNeeded(p, nil, now); !next.IsZero() {
		t.Errorf("next without doses = %s", next)
	}
}

func TestAdministrationParse(t *testing.T) {
	sched := domain.Prescription{ID: uuid.New(), Unit: "comprimé", Intakes: []domain.Intake{{Minute: 8 * 60, Quantity: 1}}, Start: day(2026, 11, 1)}
	prn := domain.Prescription{ID: uuid.New(), AsNeeded: true, Condition: "Douleur", Dose: 1, MaxPer24h: 4, Unit: "comprimé", Start: day(2026, 11, 1)}
	now := paris(2026, 11, 22, 8, 20)
	planned := paris(2026, 11, 22, 8, 0).Format(time.RFC3339)
	okPRN := domain.AdministrationInput{Dose: "1", DecidedBy: "IDE", Why: "Douleur du genou", Observation: "EVA 6 à 8 h 10"}
	cases := []struct {
		name  string
		p     domain.Prescription
		in    domain.AdministrationInput
		field string
	}{
		{"given", sched, domain.AdministrationInput{PlannedAt: planned, Status: "given"}, ""},
		{"refused", sched, domain.AdministrationInput{PlannedAt: planned, Status: "refused"}, ""},
		{"held", sched, domain.AdministrationInput{PlannedAt: planned, Status: "held", ReasonText: "Avis du Dr Lemoine"}, ""},
		{"missed with reason", sched, domain.AdministrationInput{PlannedAt: planned, Status: "missed", Reason: "hospitalise"}, ""},
		{"missed without reason", sched, domain.AdministrationInput{PlannedAt: planned, Status: "missed"}, "reason"},
		{"missed other without text", sched, domain.AdministrationInput{PlannedAt: planned, Status: "missed", Reason: "autre"}, "reason_text"},
		{"unknown status", sched, domain.AdministrationInput{PlannedAt: planned, Status: "perdu"}, "status"},
		{"not a planned time", sched, domain.AdministrationInput{PlannedAt: paris(2026, 11, 22, 9, 0).Format(time.RFC3339), Status: "given"}, "planned_at"},
		{"too early", sched, domain.AdministrationInput{PlannedAt: paris(2026, 11, 23, 8, 0).Format(time.RFC3339), Status: "given"}, "status"},
		{"scheduled line without intake", sched, domain.AdministrationInput{Status: "given"}, "planned_at"},
		{"correction without reason", sched, domain.AdministrationInput{PlannedAt: planned, Status: "refused", Corrects: uuid.NewString()}, "correction_reason"},
		{"si besoin", prn, okPRN, ""},
		{"si besoin with a planned time", prn, domain.AdministrationInput{PlannedAt: planned, Status: "given"}, "planned_at"},
		{"si besoin without why", prn, func() domain.AdministrationInput { in := okPRN; in.Why = ""; return in }(), "why"},
		{"si besoin without observation", prn, func() domain.AdministrationInput { in := okPRN; in.Observation = ""; return in }(), "observation"},
		{"si besoin without decider", prn, func() domain.AdministrationInput { in := okPRN; in.DecidedBy = ""; return in }(), "decided_by"},
		{"si besoin over the prescribed dose", prn, func() domain.AdministrationInput { in := okPRN; in.Dose = "2"; return in }(), "dose"},
		{"si besoin in the future", prn, func() domain.AdministrationInput { in := okPRN; in.At = "2026-11-22T10:00"; return in }(), "at"},
		{"si besoin two days ago", prn, func() domain.AdministrationInput { in := okPRN; in.At = "2026-11-20T10:00"; return in }(), "at"},
		{"si besoin before its start", func() domain.Prescription { p := prn; p.Start = day(2026, 11, 23); return p }(), okPRN, "at"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := c.in.Parse(c.p, now)
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if a.PrescriptionID != c.p.ID || a.Status == "" {
					t.Errorf("parsed: %+v", a)
				}
				return
			}
			v, ok := domain.AsValidation(err)
			if !ok || v.Fields[c.field] == "" {
				t.Fatalf("want a message on %s, got %v", c.field, err)
			}
		})
	}
	a, _ := domain.AdministrationInput{PlannedAt: planned, Status: "given"}.Parse(sched, now)
	if a.Dose != 1 || !a.PlannedAt.Equal(paris(2026, 11, 22, 8, 0)) || !a.At.Equal(now) {
		t.Errorf("given: %+v", a)
	}
}

func TestMomentOf(t *testing.T) {
	for _, c := range []struct {
		h, m int
		want domain.RoundMoment
	}{{7, 0, domain.RoundMorning}, {10, 59, domain.RoundMorning}, {12, 0, domain.RoundNoon}, {16, 0, domain.RoundEvening}, {20, 30, domain.RoundBedtime}, {0, 30, domain.RoundMorning}} {
		if got := domain.RoundMomentOf(paris(2026, 11, 22, c.h, c.m)); got != c.want {
			t.Errorf("%02d:%02d → %s, want %s", c.h, c.m, got, c.want)
		}
	}
}
