package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// targetedNote writes a note about u in estab at a Paris wall-clock time.
func targetedNote(t *testing.T, tx *store.Tx, u, estab, author uuid.UUID, target, data string, at time.Time) domain.TargetedNote {
	t.Helper()
	n, err := domain.TargetedNoteInput{Target: target, Data: data}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	n.UsagerID, n.EstablishmentID = u, estab
	n.Signed(author, "Auteur", at)
	if err := tx.SaveTargetedNote(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A result added later by another professional keeps both signatures; the
// closure keeps its own; a stale second result is refused; the dossier
// lists open targets first; a note is never rewritten.
func TestTargetedNoteResultLaterAndOpenList(t *testing.T) {
	f := newFixture(t)
	u := usager(t, "Ciblée", "Rose", "1938-03-03")
	day, night := store.NewID(), store.NewID()
	at := time.Date(2026, 11, 20, 10, 0, 0, 0, domain.Paris())
	var pain, fall, sleep domain.TargetedNote
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent, AdmissionDate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			return err
		}
		pain = targetedNote(t, tx, u.ID, f.ehpad.ID, day, "douleur", "EVA 6 au genou", at)
		fall = targetedNote(t, tx, u.ID, f.ehpad.ID, day, "chute", "Au sol au lever", at.Add(time.Hour))
		sleep = targetedNote(t, tx, u.ID, f.ehpad.ID, day, "sommeil", "Réveils multiples", at.Add(-24*time.Hour))
		if err := tx.SaveTargetedNote(&pain); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("a written note rewritten: %v", err)
		}
		return nil
	})
	later := at.Add(12 * time.Hour)
	f.tx(t, func(tx *store.Tx) error {
		n, err := tx.TargetedNote(pain.ID)
		if err != nil {
			return err
		}
		stale := n
		if err := n.AddResult("result", "EVA 2 après antalgique", night, "Veilleur", later); err != nil {
			return err
		}
		if err := tx.SaveTargetedFollowUp(&n); err != nil {
			return err
		}
		// Another shift, reading before the first result was saved.
		if err := stale.AddResult("result", "autre résultat", store.NewID(), "Autre", later.Add(time.Minute)); err != nil {
			return err
		}
		if err := tx.SaveTargetedFollowUp(&stale); !errors.Is(err, domain.ErrConflict) {
			t.Errorf("a second result overwrote the first: %v", err)
		}
		s, err := tx.TargetedNote(sleep.ID)
		if err != nil {
			return err
		}
		if err := s.Close("result", "Nuits calmes depuis 3 jours", night, "Veilleur", later); err != nil {
			return err
		}
		return tx.SaveTargetedFollowUp(&s)
	})
	f.tx(t, func(tx *store.Tx) error {
		n, err := tx.TargetedNote(pain.ID)
		if err != nil {
			return err
		}
		if n.AuthorID != day || n.ResultByID != night || n.ResultByName != "Veilleur" || !n.ResultAt.Equal(later) ||
			!n.WrittenAt.Equal(at) || n.Results != "EVA 2 après antalgique" || n.Data != "EVA 6 au genou" || !n.Open() {
			t.Errorf("result added later: %+v", n)
		}
		s, err := tx.TargetedNote(sleep.ID)
		if err != nil {
			return err
		}
		if s.Open() || s.ClosedByID != night || !s.ClosedAt.Equal(later) || s.ResultByID != night {
			t.Errorf("closure: %+v", s)
		}
		if err := s.Close("result", "x", night, "V", later); err == nil {
			t.Error("closed twice")
		}
		list, err := tx.TargetedNotes(u.ID, 0)
		if err != nil {
			return err
		}
		if len(list) != 3 || list[0].ID != pain.ID || list[1].ID != fall.ID || list[2].ID != sleep.ID {
			t.Errorf("open targets first (oldest first), then history: %v", ids(list))
		}
		open, err := tx.OpenTargets(f.ehpad.ID)
		if err != nil {
			return err
		}
		if len(open) != 2 || open[0].UsagerName == "" {
			t.Errorf("open targets of the EHPAD: %v", ids(open))
		}
		if other, err := tx.OpenTargets(f.ssiad.ID); err != nil || len(other) != 0 {
			t.Errorf("open targets of the SSIAD: %v %v", ids(other), err)
		}
		return nil
	})
	// The database refuses closing without a result even if the domain is bypassed.
	err := f.db.InTenant(context.Background(), f.org, func(tx *store.Tx) error {
		n, err := tx.TargetedNote(fall.ID)
		if err != nil {
			return err
		}
		n.ClosedAt, n.ClosedByID, n.ClosedByName = later, night, "V"
		return tx.SaveTargetedFollowUp(&n)
	})
	if err == nil {
		t.Error("closed without a result")
	}
}

func ids(notes []domain.TargetedNote) []string {
	out := make([]string, len(notes))
	for i, n := range notes {
		out[i] = n.TargetLabel() + "@" + n.WrittenAt.In(domain.Paris()).Format("02/01 15:04")
	}
	return out
}

// The night shift runs over midnight: notes at 23:30 and at 06:50 the next
// morning are both in it; 20:59 and 07:00 are not.
func TestShiftNotesAcrossMidnight(t *testing.T) {
	f := newFixture(t)
	u := usager(t, "Nuit", "Paule", "1941-07-07")
	paris := domain.Paris()
	author := store.NewID()
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent, AdmissionDate: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			return err
		}
		for _, at := range []time.Time{
			time.Date(2026, 11, 20, 20, 59, 0, 0, paris),
			time.Date(2026, 11, 20, 23, 30, 0, 0, paris),
			time.Date(2026, 11, 21, 6, 50, 0, 0, paris),
			time.Date(2026, 11, 21, 7, 0, 0, 0, paris),
		} {
			targetedNote(t, tx, u.ID, f.ehpad.ID, author, "sommeil", at.Format("15:04"), at)
		}
		targetedNote(t, tx, u.ID, f.ssiad.ID, author, "sommeil", "other establishment", time.Date(2026, 11, 21, 1, 0, 0, 0, paris))
		return nil
	})
	tests := []struct {
		day   time.Time
		shift domain.Shift
		want  []string
	}{
		{time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), domain.ShiftNight, []string{"23:30", "06:50"}},
		{time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), domain.ShiftAfternoon, []string{"20:59"}},
		{time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), domain.ShiftMorning, []string{"07:00"}},
	}
	for _, tt := range tests {
		from, to := domain.ShiftWindow(tt.day, tt.shift)
		f.tx(t, func(tx *store.Tx) error {
			got, err := tx.ShiftNotes(f.ehpad.ID, from, to)
			if err != nil {
				return err
			}
			var data []string
			for _, n := range got {
				data = append(data, n.Data)
			}
			if len(data) != len(tt.want) {
				t.Errorf("%s %s: %v, want %v", tt.day.Format("02/01"), tt.shift, data, tt.want)
				return nil
			}
			for i := range data {
				if data[i] != tt.want[i] {
					t.Errorf("%s %s: %v, want %v", tt.day.Format("02/01"), tt.shift, data, tt.want)
				}
			}
			return nil
		})
	}
	// The shift that just ended at 07:10 is that night.
	d, s := domain.PreviousShift(time.Date(2026, 11, 21, 7, 10, 0, 0, paris))
	if s != domain.ShiftNight || !d.Equal(tests[0].day) {
		t.Errorf("previous shift at 07:10: %s %s", d, s)
	}
}

// BenchmarkReleve reads the handover of an EHPAD of 100 residents holding
// 30,000 targeted notes over 100 days (about 100 per shift, 1,000 still
// open): the previous shift's notes and the open targets, with the names
// (target: p95 under 50 ms, like a dossier page).
func BenchmarkReleve(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	now := time.Now()
	err := f.db.InTenant(ctx, f.org, func(tx *store.Tx) error {
		var ids []uuid.UUID
		for i := 0; i < 100; i++ {
			u := usager(b, "Relève", "Résident", "1935-05-05")
			if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayAdmitted, Mode: domain.ModePermanent,
				AdmissionDate: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
				return err
			}
			ids = append(ids, u.ID)
		}
		// One note every 4.8 minutes, round-robin over the residents; one in 30 left open.
		return tx.Gorm().Exec(`INSERT INTO targeted_notes (id, org_id, establishment_id, usager_id, target, data, actions, written_at,
			author_id, author_name, results, result_at, result_by, closed_at, closed_by)
			SELECT gen_random_uuid(), ?, ?, (?::uuid[])[1 + g % 100], (ARRAY['douleur','chute','sommeil','plaie'])[1 + g % 4],
			       'données ' || g, 'actions ' || g, ?::timestamptz - g * interval '288 seconds', ?, 'AS',
			       CASE WHEN g % 30 = 0 THEN '' ELSE 'résultat' END,
			       CASE WHEN g % 30 = 0 THEN NULL ELSE ?::timestamptz - g * interval '288 seconds' + interval '2 hours' END,
			       CASE WHEN g % 30 = 0 THEN NULL ELSE ?::uuid END,
			       CASE WHEN g % 30 = 0 THEN NULL ELSE ?::timestamptz - g * interval '288 seconds' + interval '2 hours' END,
			       CASE WHEN g % 30 = 0 THEN NULL ELSE ?::uuid END
			FROM generate_series(1, 30000) g`, f.org, f.ehpad.ID, uuidArray(ids), now, store.NewID(), now, store.NewID(), now, store.NewID()).Error
	})
	if err != nil {
		b.Fatal(err)
	}
	from, to := domain.ShiftWindow(domain.PreviousShift(now))
	var durations []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		err := f.db.InTenant(ctx, f.org, func(tx *store.Tx) error {
			notes, err := tx.ShiftNotes(f.ehpad.ID, from, to)
			if err != nil {
				return err
			}
			open, err := tx.OpenTargets(f.ehpad.ID)
			if err == nil && (len(notes) < 50 || len(open) != 1000) {
				err = fmt.Errorf("%d notes in the shift, %d open", len(notes), len(open))
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

func uuidArray(ids []uuid.UUID) string {
	s := "{"
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += id.String()
	}
	return s + "}"
}
