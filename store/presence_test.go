package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// A month with a public holiday (11 November 2026), absences and a person
// admitted mid-month: the summary counts open days while admitted only.
func TestMonthPresenceSummary(t *testing.T) {
	f := newFixture(t)
	day := func(n int) time.Time { return time.Date(2026, time.November, n, 0, 0, 0, 0, time.UTC) }
	jour := domain.Establishment{Name: "Accueil de jour", FinessET: "690000058", Category: domain.CatEHPAD}
	ann, leo := person(t, "Présence", "Ann", "1940-01-01"), person(t, "Présence", "Léo", "1941-01-01")
	by := store.NewID()
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateEstablishment(&jour); err != nil {
			return err
		}
		for u, admitted := range map[*domain.Usager]time.Time{&ann: day(1).AddDate(0, -2, 0), &leo: day(16)} {
			if err := tx.CreateUsager(u, &domain.Stay{EstablishmentID: jour.ID, Status: domain.StayAdmitted, Mode: domain.ModeJour, AdmissionDate: admitted}); err != nil {
				return err
			}
		}
		roll, err := tx.PresenceRoll(jour.ID, day(10))
		if err != nil {
			return err
		}
		if len(roll) != 1 || roll[0].ID != ann.ID {
			t.Errorf("roll on the 10th: %d people, want Ann only", len(roll))
		}
		lines := []domain.Presence{
			{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(2), Status: domain.Present, RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(3), Status: domain.Absent, Reason: "Maladie", RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(4), Status: domain.Absent, Reason: "Hospitalisation", RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(5), Status: domain.Excused, RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: leo.ID, Day: day(16), Status: domain.Present, RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: leo.ID, Day: day(17), Status: domain.Present, RecordedBy: by},
		}
		if err := tx.SavePresences(lines); err != nil {
			return err
		}
		// Correcting a line replaces it.
		return tx.SavePresences([]domain.Presence{{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(5), Status: domain.Present, RecordedBy: by}})
	})
	f.tx(t, func(tx *store.Tx) error {
		people, sums, err := tx.MonthPresence(jour.ID, 2026, time.November)
		if err != nil {
			return err
		}
		if len(people) != 2 || len(sums) != 2 {
			t.Fatalf("%d people, %d summaries", len(people), len(sums))
		}
		byID := map[string]domain.PresenceSummary{}
		for _, s := range sums {
			byID[s.UsagerID.String()] = s
		}
		a, l := byID[ann.ID.String()], byID[leo.ID.String()]
		if a.Expected != 20 || a.Present != 2 || a.Absent != 2 || a.ByReason["Maladie"] != 1 || a.ByReason["Hospitalisation"] != 1 || a.Excused != 0 || a.Unrecorded != 16 {
			t.Errorf("Ann: %+v", a)
		}
		if l.Expected != 11 || l.Present != 2 || l.Unrecorded != 9 {
			t.Errorf("Léo: %+v", l)
		}
		return nil
	})
}

// The monthly summary follows each establishment's opening: a 7/7 internat
// open on holidays, a weekday externat with a closure period, a DITEP
// counting half-days per accueil mode. November 2026 has two holidays
// (1st, a Sunday, and 11th, a Wednesday).
func TestMonthPresenceFollowsOpening(t *testing.T) {
	f := newFixture(t)
	day := func(n int) time.Time { return time.Date(2026, time.November, n, 0, 0, 0, 0, time.UTC) }
	by := store.NewID()
	type setup struct {
		name     string
		opening  domain.OpeningInput
		closures []domain.Closure
		lines    func(estab, u uuid.UUID) []domain.Presence
		want     domain.PresenceSummary
		byMode   map[domain.Mode]int
	}
	tests := []setup{
		{name: "default opening, holiday excluded", want: domain.PresenceSummary{Expected: 20, Present: 1, Unrecorded: 19},
			lines: func(e, u uuid.UUID) []domain.Presence {
				return []domain.Presence{{EstablishmentID: e, UsagerID: u, Day: day(2), Status: domain.Present, RecordedBy: by}}
			}},
		{name: "7/7 with holidays", opening: domain.OpeningInput{Weekdays: []string{"1", "2", "3", "4", "5", "6", "7"}, OpenOnHolidays: true, Modes: []string{"internat"}},
			want: domain.PresenceSummary{Expected: 30, Present: 2, Absent: 1, Unrecorded: 27}, byMode: map[domain.Mode]int{domain.ModeInternat: 2},
			lines: func(e, u uuid.UUID) []domain.Presence {
				return []domain.Presence{
					{EstablishmentID: e, UsagerID: u, Day: day(1), Status: domain.Present, Mode: domain.ModeInternat, RecordedBy: by},
					{EstablishmentID: e, UsagerID: u, Day: day(11), Status: domain.Present, Mode: domain.ModeInternat, RecordedBy: by},
					{EstablishmentID: e, UsagerID: u, Day: day(14), Status: domain.Absent, Reason: "Maladie", RecordedBy: by},
				}
			}},
		{name: "closure period", opening: domain.OpeningInput{Weekdays: []string{"1", "2", "3", "4", "5"}},
			closures: []domain.Closure{{First: day(16), Last: day(22), Label: "Fermeture d'automne"}},
			want:     domain.PresenceSummary{Expected: 15, Excused: 1, Unrecorded: 14},
			lines: func(e, u uuid.UUID) []domain.Presence {
				return []domain.Presence{{EstablishmentID: e, UsagerID: u, Day: day(23), Status: domain.Excused, RecordedBy: by}}
			}},
		{name: "half-days per mode", opening: domain.OpeningInput{Weekdays: []string{"1", "2", "3", "4", "5"}, HalfDays: true, Modes: []string{"semi_internat", "externat"}},
			want: domain.PresenceSummary{Expected: 40, Present: 3, Absent: 1, Unrecorded: 36}, byMode: map[domain.Mode]int{domain.ModeSemiInt: 2, domain.ModeExternat: 1},
			lines: func(e, u uuid.UUID) []domain.Presence {
				return []domain.Presence{
					{EstablishmentID: e, UsagerID: u, Day: day(2), Half: domain.HalfMorning, Mode: domain.ModeSemiInt, Status: domain.Present, RecordedBy: by},
					{EstablishmentID: e, UsagerID: u, Day: day(2), Half: domain.HalfAfternoon, Mode: domain.ModeSemiInt, Status: domain.Present, RecordedBy: by},
					{EstablishmentID: e, UsagerID: u, Day: day(3), Half: domain.HalfMorning, Mode: domain.ModeExternat, Status: domain.Present, RecordedBy: by},
					{EstablishmentID: e, UsagerID: u, Day: day(3), Half: domain.HalfAfternoon, Status: domain.Absent, Reason: "Rendez-vous médical", RecordedBy: by},
				}
			}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := domain.Establishment{Name: "Service " + tc.name, FinessET: fmt.Sprintf("69000%04d", 100+i), Category: domain.CatDITEP}
			u := person(t, "Ouverture", []string{"Ana", "Bea", "Cleo", "Dina"}[i], "2014-01-01")
			f.tx(t, func(tx *store.Tx) error {
				if err := tx.CreateEstablishment(&e); err != nil {
					return err
				}
				if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: e.ID, Status: domain.StayAdmitted, Mode: domain.ModeSemiInt, AdmissionDate: day(1).AddDate(-1, 0, 0)}); err != nil {
					return err
				}
				if tc.opening.Weekdays != nil {
					o, err := tc.opening.Parse(e.ID)
					if err != nil {
						return err
					}
					if err := tx.SaveOpening(o, by); err != nil {
						return err
					}
				}
				for _, c := range tc.closures {
					if err := tx.AddClosure(e.ID, &c); err != nil {
						return err
					}
				}
				return tx.SavePresences(tc.lines(e.ID, u.ID))
			})
			f.tx(t, func(tx *store.Tx) error {
				o, err := tx.Opening(e.ID)
				if err != nil {
					return err
				}
				if o.Stored != (tc.opening.Weekdays != nil) || len(o.Closures) != len(tc.closures) || o.HalfDays != tc.opening.HalfDays {
					t.Errorf("opening read back: %+v", o)
				}
				_, sums, err := tx.MonthPresence(e.ID, 2026, time.November)
				if err != nil {
					return err
				}
				got := sums[0]
				if got.Expected != tc.want.Expected || got.Present != tc.want.Present || got.Absent != tc.want.Absent ||
					got.Excused != tc.want.Excused || got.Unrecorded != tc.want.Unrecorded {
					t.Errorf("summary %+v, want %+v", got, tc.want)
				}
				for m, n := range tc.byMode {
					if got.ByMode[m] != n {
						t.Errorf("presences in mode %s: %d, want %d", m, got.ByMode[m], n)
					}
				}
				return nil
			})
		})
	}
	// A whole-day line replaces the half-day lines of that day (and the
	// other way round): a day is never counted twice.
	f.tx(t, func(tx *store.Tx) error {
		var e domain.Establishment
		es, err := tx.Establishments()
		if err != nil {
			return err
		}
		for _, x := range es {
			if x.Name == "Service half-days per mode" {
				e = x
			}
		}
		lines, err := tx.Presences(e.ID, day(3), day(3))
		if err != nil || len(lines) != 2 {
			t.Fatalf("half-day lines of the 3rd: %d, %v", len(lines), err)
		}
		whole := lines[0]
		whole.Half, whole.Status = domain.HalfWhole, domain.Present
		if err := tx.SavePresences([]domain.Presence{whole}); err != nil {
			return err
		}
		lines, err = tx.Presences(e.ID, day(3), day(3))
		if err != nil || len(lines) != 1 || lines[0].Half != domain.HalfWhole {
			t.Errorf("after a whole-day line: %+v, %v", lines, err)
		}
		return err
	})
}

// BenchmarkMonthPresenceHalfDays summarises a month of a DITEP counting
// half-days: 150 children, every open half-day recorded (6,000 lines).
func BenchmarkMonthPresenceHalfDays(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	ditep := domain.Establishment{Name: "DITEP banc d'essai", FinessET: "690000991", Category: domain.CatDITEP}
	by := store.NewID()
	surnames := []string{"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Leroy", "Roux", "David"}
	firsts := []string{"Lou", "Noé", "Inès", "Adam", "Léa", "Nina", "Tom", "Zoé", "Hugo", "Emma"}
	err := f.db.InTenant(ctx, f.org, func(tx *store.Tx) error {
		if err := tx.CreateEstablishment(&ditep); err != nil {
			return err
		}
		o, err := domain.OpeningInput{Weekdays: []string{"1", "2", "3", "4", "5"}, HalfDays: true, Modes: []string{"semi_internat", "externat"}}.Parse(ditep.ID)
		if err != nil {
			return err
		}
		if err := tx.SaveOpening(o, by); err != nil {
			return err
		}
		for i := 0; i < 150; i++ {
			u := usager(b, surnames[i%len(surnames)], firsts[i/len(surnames)], "2014-01-01")
			if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: ditep.ID, Status: domain.StayAdmitted, Mode: domain.ModeSemiInt,
				AdmissionDate: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
				return err
			}
		}
		return tx.Gorm().Exec(`INSERT INTO presences (org_id, establishment_id, usager_id, day, half, mode, status, reason, recorded_by)
			SELECT ?, ?, s.usager_id, d::date, h, 'semi_internat', CASE WHEN random() < 0.1 THEN 'absent' ELSE 'present' END,
			       'Maladie', ? FROM stays s, generate_series('2026-11-02'::date, '2026-11-30'::date, interval '1 day') d,
			       unnest(ARRAY['matin','apres_midi']) h
			WHERE s.establishment_id = ? AND extract(isodow FROM d) < 6 AND d::date <> '2026-11-11'`, f.org, ditep.ID, by, ditep.ID).Error
	})
	if err != nil {
		b.Fatal(err)
	}
	var durations []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		err := f.db.InTenant(ctx, f.org, func(tx *store.Tx) error {
			people, sums, err := tx.MonthPresence(ditep.ID, 2026, time.November)
			if err == nil && (len(people) != 150 || sums[0].Expected != 40) {
				err = fmt.Errorf("%d people, %+v", len(people), sums[0])
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(p95(durations).Microseconds())/1000, "p95-ms")
}
