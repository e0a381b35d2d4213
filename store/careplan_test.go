package store_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

func careDay(s string) time.Time {
	d, _ := domain.ParseDate(s)
	return d
}

// An act round-trips with its schedule; a repeated identical mark is
// harmless, a different one a conflict; a correction replaces the state and
// keeps the previous one; a stopped act is no longer due but its marks stay.
func TestCareActsMarksAndCorrections(t *testing.T) {
	f := newFixture(t)
	u := usager(t, "Soins", "Berthe", "1935-02-03")
	author := store.NewID()
	act := domain.CareAct{Kind: domain.CarePansement, Label: "talon droit", Weekdays: []time.Weekday{time.Monday, time.Thursday},
		Moments: []domain.Moment{domain.MomentMorning}, At: "18:15", Start: careDay("2026-11-01"), Instructions: "Hydrocolloïde",
		AuthorID: author, AuthorName: "IDE"}
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent,
			AdmissionDate: careDay("2025-01-01")}); err != nil {
			return err
		}
		act.UsagerID, act.EstablishmentID = u.ID, f.ehpad.ID
		return tx.SaveCareAct(&act)
	})
	monday := careDay("2026-11-23")
	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.CareAct(act.ID)
		if err != nil {
			return err
		}
		if got.ScheduleLabel() != "lundi, jeudi · matin · à 18:15" || got.UsagerName == "" || !got.Start.Equal(act.Start) || got.Instructions != "Hydrocolloïde" {
			t.Errorf("read back: %+v (%s)", got, got.ScheduleLabel())
		}
		list, err := tx.CareActs(domain.CareActQuery{Establishments: []uuid.UUID{f.ehpad.ID}, Day: monday})
		if err != nil || len(list) != 1 {
			t.Fatalf("checklist acts: %v %v", list, err)
		}
		if other, _ := tx.CareActs(domain.CareActQuery{Establishments: []uuid.UUID{f.ssiad.ID}, Day: monday}); len(other) != 0 {
			t.Errorf("the SSIAD lists the EHPAD's acts: %v", other)
		}
		return nil
	})
	mark := func(done bool, reason domain.NotDoneReason, by string) domain.CareMark {
		return domain.CareMark{ActID: act.ID, UsagerID: u.ID, Day: monday, Slot: "matin", Done: done, Reason: reason,
			ByID: author, ByName: by, At: time.Date(2026, 11, 23, 8, 10, 0, 0, time.UTC)}
	}
	tests := []struct {
		name    string
		m       domain.CareMark
		correct string
		want    error
	}{
		{"first mark", mark(true, "", "AS"), "", nil},
		{"double tap", mark(true, "", "AS"), "", nil},
		{"different mark is a conflict", mark(false, domain.NotDoneRefused, "IDE"), "", domain.ErrConflict},
		{"correction with a reason", mark(false, domain.NotDoneRefused, "IDE"), "Erreur de saisie : soin refusé", nil},
	}
	for _, tc := range tests {
		m := tc.m
		err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error {
			if tc.correct != "" {
				return tx.CorrectCare(&m, tc.correct)
			}
			return tx.MarkCare(&m)
		})
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	f.tx(t, func(tx *store.Tx) error {
		var n int
		if err := tx.Gorm().Raw(`SELECT count(*) FROM care_marks`).Scan(&n).Error; err != nil || n != 1 {
			t.Errorf("%d marks stored (double tap must not add one): %v", n, err)
		}
		got, err := tx.CareMarkAt(act.ID, monday, "matin")
		if err != nil {
			return err
		}
		if got.Done || got.Reason != domain.NotDoneRefused || got.ByName != "IDE" || len(got.Corrections) != 1 ||
			!got.Corrections[0].Done || got.Corrections[0].ByName != "AS" || got.Corrections[0].Why != "Erreur de saisie : soin refusé" {
			t.Errorf("corrected mark: %+v", got)
		}
		return tx.StopCareAct(act.ID, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), "IDE", "Plaie cicatrisée")
	})
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.StopCareAct(act.ID, time.Now(), "IDE", ""); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("stopping twice: %v", err)
		}
		acts, err := tx.CareActs(domain.CareActQuery{Usagers: []uuid.UUID{u.ID}, Day: monday})
		if err != nil {
			return err
		}
		marks, err := tx.CareMarks([]uuid.UUID{act.ID}, monday)
		if err != nil {
			return err
		}
		occ := domain.Occurrences(acts, marks, monday)
		if len(occ) != 1 || occ[0].Slot != "matin" || occ[0].Mark == nil {
			t.Errorf("stop day: the marked morning stays, the evening time goes: %+v", occ)
		}
		later, err := tx.CareActs(domain.CareActQuery{Usagers: []uuid.UUID{u.ID}, Day: careDay("2026-11-26")})
		if err != nil {
			return err
		}
		if occ := domain.Occurrences(later, nil, careDay("2026-11-26")); len(occ) != 0 {
			t.Errorf("a stopped act is still due: %+v", occ)
		}
		return nil
	})
}

// A round keeps its stops in the order given; who does it on a day is the
// assignment of that day, else the default professional.
func TestRoundOrderAndAssignment(t *testing.T) {
	f := newFixture(t)
	var people []uuid.UUID
	var ide, as domain.User
	round := domain.Round{Name: "Tournée Nord"}
	f.tx(t, func(tx *store.Tx) error {
		for _, n := range []string{"Un", "Deux", "Trois"} {
			u := usager(t, "Tournee"+n, "Paul", "1940-01-01")
			if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ssiad.ID, Status: domain.StayAdmitted, Mode: domain.ModeDomicile,
				AdmissionDate: careDay("2025-01-01")}); err != nil {
				return err
			}
			people = append(people, u.ID)
		}
		ide = domain.User{Username: "ide.round", DisplayName: "IDE Tournée", Active: true}
		as = domain.User{Username: "as.round", DisplayName: "AS Tournée", Active: true}
		for _, u := range []*domain.User{&ide, &as} {
			if err := tx.CreateUser(u, "x"); err != nil {
				return err
			}
		}
		round.EstablishmentID, round.DefaultUserID = f.ssiad.ID, ide.ID
		if err := tx.SaveRound(&round); err != nil {
			return err
		}
		stops := []domain.RoundStop{{UsagerID: people[2], AccessNotes: "Clé dans la boîte à clés, code 1234"}, {UsagerID: people[0]}, {UsagerID: people[1]}}
		if err := tx.SetRoundStops(round.ID, stops); err != nil {
			return err
		}
		return tx.AssignRound(domain.RoundAssignment{RoundID: round.ID, Day: careDay("2026-11-24"), UserID: as.ID})
	})
	f.tx(t, func(tx *store.Tx) error {
		r, err := tx.Round(round.ID)
		if err != nil {
			return err
		}
		if len(r.Stops) != 3 || r.Stops[0].UsagerID != people[2] || r.Stops[0].Position != 1 || r.Stops[2].UsagerID != people[1] ||
			r.Stops[0].AccessNotes == "" || r.Stops[0].Usager.BirthName == "" || r.DefaultUserName != "IDE Tournée" {
			t.Errorf("round read back: %+v", r)
		}
		moved := domain.MoveStop(r.Stops, 2, -1)
		if err := tx.SetRoundStops(round.ID, moved); err != nil {
			return err
		}
		if err := tx.SetRoundStops(round.ID, append(moved, domain.RoundStop{UsagerID: people[0]})); err == nil {
			t.Errorf("a usager twice in a round was accepted")
		}
		return nil
	})
	tests := []struct {
		user domain.User
		day  string
		want int
	}{
		{ide, "2026-11-23", 1}, // default
		{as, "2026-11-23", 0},
		{ide, "2026-11-24", 0}, // the AS is assigned that day
		{as, "2026-11-24", 1},
	}
	for _, tc := range tests {
		f.tx(t, func(tx *store.Tx) error {
			rs, err := tx.MyRounds(tc.user.ID, careDay(tc.day), []uuid.UUID{f.ssiad.ID})
			if err != nil {
				return err
			}
			if len(rs) != tc.want {
				t.Errorf("%s on %s: %d rounds, want %d", tc.user.Username, tc.day, len(rs), tc.want)
			}
			if len(rs) == 1 && (len(rs[0].Stops) != 3 || rs[0].Stops[1].UsagerID != people[1]) {
				t.Errorf("order after moving the last stop up: %+v", rs[0].Stops)
			}
			return nil
		})
	}
	if others, err := func() ([]domain.Round, error) {
		var rs []domain.Round
		err := f.db.InTenant(context.Background(), store.NewID(), func(tx *store.Tx) error {
			var err error
			rs, err = tx.Rounds([]uuid.UUID{f.ssiad.ID})
			return err
		})
		return rs, err
	}(); err != nil || len(others) != 0 {
		t.Errorf("another organisation sees the round: %v %v", others, err)
	}
}

// BenchmarkDailyChecklist measures the queries of the daily checklist of an
// EHPAD of 200 residents with 3 care acts each (600 acts, ~1,000
// occurrences), a third of the day already marked; it reports the p95.
func BenchmarkDailyChecklist(b *testing.B) {
	f := newFixture(b)
	day := careDay("2026-11-23")
	ctx := context.Background()
	err := f.db.InTenant(ctx, f.org, func(tx *store.Tx) error {
		for i := 0; i < 200; i++ {
			u := usager(b, "Bench"+string(rune('a'+i/26%26))+string(rune('a'+i%26)), "Anne", "1940-01-01")
			if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent,
				AdmissionDate: careDay("2025-01-01")}); err != nil {
				return err
			}
			for k, kind := range []domain.CareKind{domain.CareToilette, domain.CareChange, domain.CareAideRepas} {
				a := domain.CareAct{UsagerID: u.ID, EstablishmentID: f.ehpad.ID, Kind: kind, Weekdays: domain.WeekdaysMondayFirst,
					Moments: domain.AllMoments[k : k+2], Start: careDay("2026-01-01"), AuthorID: u.ID, AuthorName: "IDE"}
				if err := tx.SaveCareAct(&a); err != nil {
					return err
				}
				if i%3 == 0 {
					m := domain.CareMark{ActID: a.ID, UsagerID: u.ID, Day: day, Slot: string(a.Moments[0]), Done: true, ByID: u.ID, ByName: "AS", At: day}
					if err := tx.MarkCare(&m); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		err := f.db.InTenant(ctx, f.org, func(tx *store.Tx) error {
			acts, err := tx.CareActs(domain.CareActQuery{Establishments: []uuid.UUID{f.ehpad.ID}, Day: day})
			if err != nil {
				return err
			}
			ids := make([]uuid.UUID, len(acts))
			for i, a := range acts {
				ids[i] = a.ID
			}
			marks, err := tx.CareMarks(ids, day)
			if err != nil {
				return err
			}
			if occ := domain.Occurrences(acts, marks, day); len(occ) != 1200 {
				return fmt.Errorf("%d occurrences, want 1200", len(occ))
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[(len(took)*95)/100].Microseconds())/1000, "p95-ms")
}
