package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

func observationUsager(t testing.TB, f fixture, name string) domain.Usager {
	t.Helper()
	u := usager(t, name, "Anne", "1938-01-01")
	err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error {
		return tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent,
			AdmissionDate: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Entries round-trip (blood pressure's two values, glucose's unit typed,
// the flag), are listed oldest first by type and period, the latest valid
// one per type; an erroneous entry is kept but left out of series and
// latest values, and cannot be marked twice; another organisation sees
// nothing; a batch with one bad row stores none.
func TestObservationsStore(t *testing.T) {
	f := newFixture(t)
	u := observationUsager(t, f, "Constantes")
	author := store.NewID()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	mk := func(typ domain.ObservationType, v, v2 float64, unit string, when time.Time) domain.Observation {
		return domain.Observation{UsagerID: u.ID, EstablishmentID: f.ehpad.ID, Type: typ, Value: v, Value2: v2, EnteredUnit: unit,
			MeasuredAt: when, AuthorID: author, AuthorName: "IDE Test"}
	}
	obs := []domain.Observation{
		mk(domain.ObsWeight, 72.5, 0, "kg", at),
		mk(domain.ObsWeight, 71.8, 0, "kg", at.AddDate(0, 1, 0)),
		mk(domain.ObsWeight, 17, 0, "kg", at.AddDate(0, 2, 0)), // a typing slip, marked erroneous below
		mk(domain.ObsBloodPress, 185, 92, "mmHg", at.Add(time.Hour)),
		mk(domain.ObsGlucose, 1.24, 0, "mmol/L", at.Add(2*time.Hour)),
	}
	obs[3].Flagged, obs[3].Comment = true, "recontrôlée 10 min après"
	f.tx(t, func(tx *store.Tx) error { return tx.SaveObservations(obs) })

	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.Observation(obs[3].ID)
		if err != nil {
			return err
		}
		if got.Value != 185 || got.Value2 != 92 || !got.Flagged || got.Comment != "recontrôlée 10 min après" || got.AuthorName != "IDE Test" ||
			!got.MeasuredAt.Equal(at.Add(time.Hour)) || got.Erroneous() {
			t.Errorf("blood pressure read back: %+v", got)
		}
		if g, _ := tx.Observation(obs[4].ID); g.Value != 1.24 || g.EnteredUnit != "mmol/L" || g.Display() != "1,24 g/L (6,9 mmol/L saisis)" {
			t.Errorf("glucose read back: %+v", g)
		}
		return tx.MarkObservationErroneous(obs[2].ID, author, "IDE Test", "17 au lieu de 71", at.AddDate(0, 2, 1))
	})
	f.tx(t, func(tx *store.Tx) error {
		err := tx.MarkObservationErroneous(obs[2].ID, author, "IDE Test", "encore", at.AddDate(0, 2, 2))
		if !errors.Is(err, domain.ErrConflict) {
			t.Errorf("second mark: %v, want a conflict", err)
		}
		if err := tx.MarkObservationErroneous(store.NewID(), author, "x", "y", at); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("marking an unknown entry: %v", err)
		}
		weights, err := tx.Observations(domain.ObservationQuery{UsagerID: u.ID, Types: []domain.ObservationType{domain.ObsWeight}})
		if err != nil {
			return err
		}
		if len(weights) != 2 || weights[0].Value != 72.5 || weights[1].Value != 71.8 {
			t.Errorf("weights without the erroneous one, oldest first: %+v", weights)
		}
		all, err := tx.Observations(domain.ObservationQuery{UsagerID: u.ID, Types: []domain.ObservationType{domain.ObsWeight}, IncludeErroneous: true})
		if err != nil {
			return err
		}
		if len(all) != 3 || !all[2].Erroneous() || all[2].ErroneousReason != "17 au lieu de 71" || all[2].ErroneousByName != "IDE Test" {
			t.Errorf("erroneous entry kept with its reason: %+v", all)
		}
		since, err := tx.Observations(domain.ObservationQuery{UsagerID: u.ID, Since: at.AddDate(0, 0, 1)})
		if err != nil {
			return err
		}
		if len(since) != 1 || since[0].Value != 71.8 {
			t.Errorf("since a date: %+v", since)
		}
		latest, err := tx.LatestObservations(u.ID)
		if err != nil {
			return err
		}
		byType := map[domain.ObservationType]domain.Observation{}
		for _, o := range latest {
			byType[o.Type] = o
		}
		if len(latest) != 3 || byType[domain.ObsWeight].Value != 71.8 || byType[domain.ObsBloodPress].Value2 != 92 || byType[domain.ObsGlucose].Value != 1.24 {
			t.Errorf("latest per type: %+v", latest)
		}
		return nil
	})

	// All or nothing: the database refuses a diastolic above the systolic.
	bad := []domain.Observation{mk(domain.ObsPulse, 70, 0, "/min", at), mk(domain.ObsBloodPress, 80, 120, "mmHg", at)}
	err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error { return tx.SaveObservations(bad) })
	if err == nil {
		t.Fatal("a diastolic above the systolic was stored")
	}
	f.tx(t, func(tx *store.Tx) error {
		pulses, err := tx.Observations(domain.ObservationQuery{UsagerID: u.ID, Types: []domain.ObservationType{domain.ObsPulse}})
		if len(pulses) != 0 {
			t.Errorf("a refused batch left %d rows", len(pulses))
		}
		return err
	})

	// Another organisation sees nothing.
	err = f.db.InTenant(context.Background(), uuid.New(), func(tx *store.Tx) error {
		if _, err := tx.Observation(obs[0].ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("another organisation reads an observation: %v", err)
		}
		rows, err := tx.Observations(domain.ObservationQuery{UsagerID: u.ID})
		if len(rows) != 0 {
			t.Errorf("another organisation lists %d observations", len(rows))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The chart of a year of daily weights reads one series: a budget for the
// dossier's constantes page (p95 reported in ms).
func BenchmarkObservationYearSeries(b *testing.B) {
	f := newFixture(b)
	u := observationUsager(b, f, "Bench")
	start := time.Date(2025, 11, 1, 7, 0, 0, 0, time.UTC)
	var obs []domain.Observation
	for d := 0; d < 365*3; d++ {
		obs = append(obs, domain.Observation{UsagerID: u.ID, EstablishmentID: f.ehpad.ID, Type: domain.ObsWeight,
			Value: 70 + float64(d%7)/10, EnteredUnit: "kg", MeasuredAt: start.AddDate(0, 0, -d), AuthorID: u.ID, AuthorName: "x"})
		obs = append(obs, domain.Observation{UsagerID: u.ID, EstablishmentID: f.ehpad.ID, Type: domain.ObsPulse,
			Value: 70, EnteredUnit: "/min", MeasuredAt: start.AddDate(0, 0, -d), AuthorID: u.ID, AuthorName: "x"})
	}
	if err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error { return tx.SaveObservations(obs) }); err != nil {
		b.Fatal(err)
	}
	var durations []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error {
			rows, err := tx.Observations(domain.ObservationQuery{UsagerID: u.ID, Types: []domain.ObservationType{domain.ObsWeight}, Since: start.AddDate(-1, 0, 0)})
			if err == nil && len(rows) < 365 {
				b.Fatalf("%d weights", len(rows))
			}
			if err != nil {
				return err
			}
			_, err = tx.LatestObservations(u.ID)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(t0))
	}
	b.StopTimer()
	b.ReportMetric(float64(p95(durations).Microseconds())/1000, "p95-ms")
}
