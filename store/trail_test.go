package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// appendTrail appends one entry for org and returns it as stored.
func appendTrail(t *testing.T, ts tenants, org uuid.UUID, detail string, usager uuid.UUID) domain.TrailEntry {
	t.Helper()
	e := domain.TrailEntry{UserID: store.NewID(), Username: "ide", Role: "infirmier", UsagerID: usager,
		Section: domain.SectionCare, Action: domain.ActionRead, Detail: detail}
	ts.must(t, org, func(tx *store.Tx) error { return tx.AppendTrail(&e) })
	return e
}

func TestTrailAppendReadAndVerify(t *testing.T) {
	ctx := context.Background()
	ts := newTenants(t, 2)
	orgA, orgB := ts.orgs[0], ts.orgs[1]
	usager := store.NewID()
	at := time.Date(2026, 3, 1, 10, 30, 0, 123456789, time.FixedZone("CET", 3600))
	first := domain.TrailEntry{At: at, UserID: store.NewID(), Username: "dr.house", Role: "medecin",
		EstablishmentID: ts.estabs[0], UsagerID: usager, Section: domain.SectionMedical, Action: domain.ActionWrite, Detail: "note"}
	ts.must(t, orgA, func(tx *store.Tx) error { return tx.AppendTrail(&first) })
	if first.Seq == 0 || first.OrgID != orgA || len(first.PrevHash) != 0 || len(first.Hash) != 32 {
		t.Fatalf("first entry not filled in: %+v", first)
	}
	if want := at.UTC().Truncate(time.Microsecond); !first.At.Equal(want) || first.At.Location() != time.UTC {
		t.Errorf("At = %v, want %v in UTC", first.At, want)
	}
	appendTrail(t, ts, orgB, "b1", uuid.Nil)
	second := appendTrail(t, ts, orgA, "a2", uuid.Nil)
	appendTrail(t, ts, orgB, "b2", uuid.Nil)
	third := appendTrail(t, ts, orgA, "a3", usager)
	if string(second.PrevHash) != string(first.Hash) || string(third.PrevHash) != string(second.Hash) {
		t.Error("entries of org A are not chained to each other")
	}

	ts.must(t, orgA, func(tx *store.Tx) error {
		all, err := tx.Trail(domain.TrailQuery{})
		if err != nil {
			return err
		}
		if len(all) != 3 || all[0].Seq != third.Seq || all[2].Seq != first.Seq {
			t.Errorf("Trail() = %d rows, want org A's 3 newest first", len(all))
		}
		if len(all) == 3 && (all[2].EstablishmentID != ts.estabs[0] || !all[2].At.Equal(first.At) || string(all[2].Hash) != string(first.Hash)) {
			t.Errorf("stored first entry %+v differs from appended %+v", all[2], first)
		}
		page, err := tx.Trail(domain.TrailQuery{BeforeSeq: third.Seq, Limit: 1})
		if err != nil {
			return err
		}
		if len(page) != 1 || page[0].Seq != second.Seq {
			t.Errorf("Trail(before %d, limit 1) = %+v, want seq %d", third.Seq, page, second.Seq)
		}
		about, err := tx.Trail(domain.TrailQuery{UsagerID: usager})
		if err != nil {
			return err
		}
		if len(about) != 2 || about[0].Seq != third.Seq || about[1].Seq != first.Seq {
			t.Errorf("Trail(usager) = %d rows, want 2", len(about))
		}
		return nil
	})

	checked, err := ts.owner.VerifyTrail(ctx)
	if err != nil || checked != 5 {
		t.Errorf("VerifyTrail = %d, %v; want 5 rows, no error", checked, err)
	}
	if _, err := ts.db.VerifyTrail(ctx); err == nil {
		t.Error("VerifyTrail through the application role (which sees no row) did not refuse")
	}
	e := domain.TrailEntry{OrgID: orgB, UserID: store.NewID(), Section: domain.SectionCare, Action: domain.ActionRead}
	if err := ts.in(orgA, func(tx *store.Tx) error { return tx.AppendTrail(&e) }); !errors.Is(err, domain.ErrForbidden) {
		t.Errorf("appending an entry of org B in org A's transaction: error = %v, want ErrForbidden", err)
	}
}

func TestVerifyTrailDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		victim int // index of the entry tampered with, among 0..3 of org A
		sql    string
		broken int // index of the entry VerifyTrail must name
	}{
		{"altered detail", 1, `UPDATE access_trail SET detail = 'x' WHERE seq = $1`, 1},
		{"altered time", 2, `UPDATE access_trail SET at = at + interval '1 second' WHERE seq = $1`, 2},
		{"previous hash cleared", 1, `UPDATE access_trail SET prev_hash = '' WHERE seq = $1`, 1},
		{"middle entry removed", 1, `DELETE FROM access_trail WHERE seq = $1`, 2},
		{"first entry removed", 0, `DELETE FROM access_trail WHERE seq = $1`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			ts := newTenants(t, 2)
			var entries []domain.TrailEntry
			for i := range 4 {
				entries = append(entries, appendTrail(t, ts, ts.orgs[0], fmt.Sprintf("a%d", i), uuid.Nil))
				appendTrail(t, ts, ts.orgs[1], fmt.Sprintf("b%d", i), uuid.Nil)
			}
			if _, err := ts.owner.VerifyTrail(ctx); err != nil {
				t.Fatalf("before tampering: %v", err)
			}
			// The append-only trigger stops the application; the owner can
			// disable it, which is what the chain is there to reveal.
			if _, err := ts.owner.SQL().ExecContext(ctx, `ALTER TABLE access_trail DISABLE TRIGGER access_trail_no_update`); err != nil {
				t.Fatal(err)
			}
			if _, err := ts.owner.SQL().ExecContext(ctx, tt.sql, entries[tt.victim].Seq); err != nil {
				t.Fatal(err)
			}
			_, err := ts.owner.VerifyTrail(ctx)
			var broken *domain.TrailBrokenError
			if !errors.As(err, &broken) {
				t.Fatalf("VerifyTrail error = %v, want a TrailBrokenError", err)
			}
			if broken.OrgID != ts.orgs[0] || broken.Seq != entries[tt.broken].Seq {
				t.Errorf("broken at org %s seq %d, want org %s seq %d (%s)", broken.OrgID, broken.Seq, ts.orgs[0], entries[tt.broken].Seq, broken.Reason)
			}
		})
	}
}

func TestTrailAppendTriggerRefusesUpdates(t *testing.T) {
	ts := newTenants(t, 1)
	e := appendTrail(t, ts, ts.orgs[0], "x", uuid.Nil)
	if _, err := ts.owner.SQL().ExecContext(context.Background(), `UPDATE access_trail SET detail = 'y' WHERE seq = $1`, e.Seq); err == nil {
		t.Error("the owner updated a trail row with the append-only trigger enabled")
	}
}

func TestConcurrentTrailAppendsKeepTheChain(t *testing.T) {
	ctx := context.Background()
	ts := newTenants(t, 2)
	const workers, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			org := ts.orgs[w%2]
			for i := range each {
				e := domain.TrailEntry{UserID: store.NewID(), Username: "w", Role: "infirmier",
					Section: domain.SectionCare, Action: domain.ActionRead, Detail: fmt.Sprintf("%d-%d", w, i)}
				if err := ts.in(org, func(tx *store.Tx) error { return tx.AppendTrail(&e) }); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checked, err := ts.owner.VerifyTrail(ctx)
	if err != nil || checked != workers*each {
		t.Errorf("VerifyTrail = %d, %v; want %d rows, no error", checked, err, workers*each)
	}
}

// VerifyTrail reads by batches; a chain crossing a batch boundary, with
// several appends in one transaction, still verifies.
func TestVerifyTrailAcrossBatches(t *testing.T) {
	ctx := context.Background()
	ts := newTenants(t, 1)
	const n = 2100 // more than one batch of VerifyTrail
	ts.must(t, ts.orgs[0], func(tx *store.Tx) error {
		for i := range n {
			e := domain.TrailEntry{UserID: store.NewID(), Section: domain.SectionCare, Action: domain.ActionRead, Detail: fmt.Sprint(i)}
			if err := tx.AppendTrail(&e); err != nil {
				return err
			}
		}
		return nil
	})
	if checked, err := ts.owner.VerifyTrail(ctx); err != nil || checked != n {
		t.Errorf("VerifyTrail = %d, %v; want %d", checked, err, n)
	}
}
