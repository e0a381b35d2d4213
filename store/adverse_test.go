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

// A FEI is stored with its follow-up and actions, listed open first and by
// visibility (about a usager only for care readers), hidden from another
// organisation, and its usager link follows a merge.
func TestAdverseEventsStoreListAndIsolation(t *testing.T) {
	f := newFixture(t)
	u := usager(t, "Indésirable", "Anne", "1940-01-01")
	at := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	var about, general, closed domain.AdverseEvent
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateUsager(&u, &domain.Stay{EstablishmentID: f.ehpad.ID, Status: domain.StayPreadmission, Mode: domain.ModePermanent}); err != nil {
			return err
		}
		mk := func(fe *domain.AdverseEvent, usager uuid.UUID, when time.Time, status domain.AdverseStatus) error {
			*fe = domain.AdverseEvent{EstablishmentID: f.ehpad.ID, UsagerID: usager, OccurredAt: when, Description: "d", Category: domain.AdverseFall,
				Severity: 4, Status: domain.AdverseDeclared, DeclaredAt: when, AuthorID: store.NewID(), AuthorName: "IDE"}
			if err := tx.SaveAdverseEvent(fe); err != nil {
				return err
			}
			if status == domain.AdverseClosed {
				fe.Status, fe.Causes, fe.ClosedAt = status, "c", when
				fe.ARSPart1, fe.ARSPart2 = at, at
				return tx.SaveAdverseEvent(fe)
			}
			return nil
		}
		if err := mk(&closed, u.ID, at.Add(48*time.Hour), domain.AdverseClosed); err != nil {
			return err
		}
		if err := mk(&about, u.ID, at, domain.AdverseDeclared); err != nil {
			return err
		}
		if err := mk(&general, uuid.Nil, at.Add(time.Hour), domain.AdverseDeclared); err != nil {
			return err
		}
		return tx.SaveAdverseAction(&domain.AdverseAction{AdverseID: about.ID, Title: "t", Owner: "o", Due: at})
	})
	f.tx(t, func(tx *store.Tx) error {
		got, err := tx.AdverseEvent(about.ID)
		if err != nil {
			return err
		}
		if got.UsagerName == "" || len(got.Actions) != 1 || got.Severity != 4 || !got.OccurredAt.Equal(at) {
			t.Errorf("read back: %+v", got)
		}
		all, err := tx.AdverseEvents(domain.AdverseQuery{WithUsager: []uuid.UUID{f.ehpad.ID}})
		if err != nil {
			return err
		}
		if len(all) != 3 || all[0].ID != general.ID || all[1].ID != about.ID || all[2].ID != closed.ID {
			t.Errorf("order (open first, newest first): %v", all)
		}
		open, err := tx.AdverseEvents(domain.AdverseQuery{WithUsager: []uuid.UUID{f.ehpad.ID}, OpenOnly: true})
		if err != nil {
			return err
		}
		if len(open) != 2 {
			t.Errorf("open: %d", len(open))
		}
		adminOnly, err := tx.AdverseEvents(domain.AdverseQuery{Establishments: []uuid.UUID{f.ehpad.ID}})
		if err != nil {
			return err
		}
		if len(adminOnly) != 1 || adminOnly[0].ID != general.ID {
			t.Errorf("an admin reader lists FEI about a usager: %v", adminOnly)
		}
		other, err := tx.AdverseEvents(domain.AdverseQuery{WithUsager: []uuid.UUID{f.ssiad.ID}})
		if err != nil || len(other) != 0 {
			t.Errorf("another establishment lists: %v %v", other, err)
		}
		return nil
	})
	err := f.db.InTenant(context.Background(), store.NewID(), func(tx *store.Tx) error {
		if _, err := tx.AdverseEvent(about.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("another organisation reads the FEI: %v", err)
		}
		about.Status = domain.AdverseAnalysis
		if err := tx.SaveAdverseEvent(&about); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("another organisation updates the FEI: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
