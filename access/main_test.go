package access_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

func TestMain(m *testing.M) { os.Exit(testpg.Run(m)) }

// world is a fresh database with organisations of two establishments each.
type world struct {
	dsn    string
	db     *store.DB
	orgs   []uuid.UUID
	estabs [][2]uuid.UUID // per organisation
}

func newWorld(t testing.TB, orgs int) world {
	t.Helper()
	ctx := context.Background()
	w := world{dsn: testpg.New(t)}
	var err error
	if w.db, err = store.Open(ctx, w.dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.db.Close() })
	for i := range orgs {
		org := store.NewID()
		var es [2]uuid.UUID
		err := w.db.InTenant(ctx, org, func(tx *store.Tx) error {
			if err := tx.CreateOrganisation(&domain.Organisation{Name: "Org", FinessEJ: fmt.Sprintf("7500000%02d", i)}); err != nil {
				return err
			}
			for j := range es {
				e := domain.Establishment{Name: fmt.Sprint("Site ", j), FinessET: fmt.Sprintf("750001%d%02d", j, i), Category: domain.CatEHPAD}
				if err := tx.CreateEstablishment(&e); err != nil {
					return err
				}
				es[j] = e.ID
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		w.orgs, w.estabs = append(w.orgs, org), append(w.estabs, es)
	}
	return w
}

// addUser creates an account in org with the given password hash and roles.
func (w world) addUser(t *testing.T, org uuid.UUID, name, hash string, active bool, ms ...domain.Membership) domain.User {
	t.Helper()
	u := domain.User{Username: name, DisplayName: "Nom " + name, Active: active}
	err := w.db.InTenant(context.Background(), org, func(tx *store.Tx) error {
		if err := tx.CreateUser(&u, hash); err != nil {
			return err
		}
		for _, m := range ms {
			m.UserID = u.ID
			if err := tx.AddMembership(m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// clock is the real time shifted by a settable offset, for AuthOptions.Now:
// the database stamps login failures and expiries with its own clock, so the
// test clock must keep running with it.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func newClock() *clock { return &clock{} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
