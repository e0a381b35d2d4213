package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

// tenants is a fresh database with organisations of one establishment each,
// reached through the application role (db) and the owner (owner).
type tenants struct {
	dsn    string
	db     *store.DB
	owner  *store.DB
	orgs   []uuid.UUID
	estabs []uuid.UUID
}

func newTenants(t *testing.T, n int) tenants {
	t.Helper()
	ctx := context.Background()
	ts := tenants{dsn: testpg.New(t)}
	var err error
	if ts.db, err = store.Open(ctx, ts.dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.db.Close() })
	if ts.owner, err = store.OpenOwner(ctx, ts.dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ts.owner.Close() })
	for i := range n {
		org := store.NewID()
		e := domain.Establishment{Name: "EHPAD", FinessET: fmt.Sprintf("6900001%02d", i), Category: domain.CatEHPAD}
		err := ts.db.InTenant(ctx, org, func(tx *store.Tx) error {
			if err := tx.CreateOrganisation(&domain.Organisation{Name: "Org", FinessEJ: fmt.Sprintf("6900000%02d", i)}); err != nil {
				return err
			}
			return tx.CreateEstablishment(&e)
		})
		if err != nil {
			t.Fatal(err)
		}
		ts.orgs, ts.estabs = append(ts.orgs, org), append(ts.estabs, e.ID)
	}
	return ts
}

// in runs fn in org's tenant and returns its error.
func (ts tenants) in(org uuid.UUID, fn func(tx *store.Tx) error) error {
	return ts.db.InTenant(context.Background(), org, fn)
}

// must runs fn in org's tenant and fails the test on error.
func (ts tenants) must(t *testing.T, org uuid.UUID, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := ts.in(org, fn); err != nil {
		t.Fatal(err)
	}
}

func TestUserLifecycleAndLoginLookup(t *testing.T) {
	ctx := context.Background()
	ts := newTenants(t, 2)
	orgA, orgB := ts.orgs[0], ts.orgs[1]
	u := domain.User{Username: "marie.curie", DisplayName: "Marie Curie", Active: true}
	ts.must(t, orgA, func(tx *store.Tx) error { return tx.CreateUser(&u, "$argon2id$fake") })
	if u.ID == uuid.Nil || u.OrgID != orgA || u.CreatedAt.IsZero() {
		t.Fatalf("CreateUser did not fill id, org and creation time: %+v", u)
	}

	rec, err := ts.db.LookupLogin(ctx, "marie.curie")
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.LoginRecord{UserID: u.ID, OrgID: orgA, PasswordHash: "$argon2id$fake", Active: true}); rec != want {
		t.Errorf("LookupLogin = %+v, want %+v", rec, want)
	}
	if _, err := ts.db.LookupLogin(ctx, "nobody"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("LookupLogin(unknown) error = %v, want ErrNotFound", err)
	}

	u.DisplayName, u.Active = "Marie Skłodowska-Curie", false
	ts.must(t, orgA, func(tx *store.Tx) error {
		if err := tx.UpdateUser(&u); err != nil {
			return err
		}
		if err := tx.SetPasswordHash(u.ID, "$argon2id$other"); err != nil {
			return err
		}
		got, err := tx.User(u.ID)
		if err != nil {
			return err
		}
		if got.DisplayName != u.DisplayName || got.Active {
			t.Errorf("after update User = %+v", got)
		}
		all, err := tx.Users()
		if err != nil {
			return err
		}
		if len(all) != 1 || all[0].ID != u.ID {
			t.Errorf("Users = %+v, want only %s", all, u.ID)
		}
		return nil
	})
	if rec, _ := ts.db.LookupLogin(ctx, "marie.curie"); rec.PasswordHash != "$argon2id$other" || rec.Active {
		t.Errorf("LookupLogin after update = %+v", rec)
	}

	// Another organisation neither sees nor modifies the user.
	ts.must(t, orgB, func(tx *store.Tx) error {
		if _, err := tx.User(u.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("org B reads org A's user: err = %v", err)
		}
		if err := tx.SetPasswordHash(u.ID, "x"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("org B sets org A's password: err = %v", err)
		}
		other := u
		other.OrgID = uuid.Nil
		if err := tx.UpdateUser(&other); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("org B updates org A's user: err = %v", err)
		}
		return nil
	})
}

func TestCreateUserRefusals(t *testing.T) {
	ts := newTenants(t, 2)
	orgA, orgB := ts.orgs[0], ts.orgs[1]
	ts.must(t, orgA, func(tx *store.Tx) error {
		return tx.CreateUser(&domain.User{Username: "taken", DisplayName: "Taken", Active: true}, "h")
	})
	tests := []struct {
		name  string
		org   uuid.UUID
		user  domain.User
		check func(error) bool
	}{
		{"username taken in the same organisation", orgA, domain.User{Username: "taken", DisplayName: "X"},
			func(err error) bool { return errors.Is(err, domain.ErrConflict) }},
		{"username taken in another organisation", orgB, domain.User{Username: "taken", DisplayName: "X"},
			func(err error) bool { return errors.Is(err, domain.ErrConflict) }},
		{"invalid username", orgA, domain.User{Username: "Jean Dupont", DisplayName: "X"},
			func(err error) bool { v, ok := domain.AsValidation(err); return ok && v.Fields["username"] != "" }},
		{"missing display name", orgA, domain.User{Username: "jdupont"},
			func(err error) bool { v, ok := domain.AsValidation(err); return ok && v.Fields["display_name"] != "" }},
		{"other organisation named", orgA, domain.User{Username: "jdupont", DisplayName: "X", OrgID: orgB},
			func(err error) bool { return errors.Is(err, domain.ErrForbidden) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ts.in(tt.org, func(tx *store.Tx) error { return tx.CreateUser(&tt.user, "h") })
			if !tt.check(err) {
				t.Errorf("CreateUser error = %v", err)
			}
		})
	}
}

func TestMemberships(t *testing.T) {
	ts := newTenants(t, 2)
	orgA, orgB := ts.orgs[0], ts.orgs[1]
	estabA, estabB := ts.estabs[0], ts.estabs[1]
	u := domain.User{Username: "ide", DisplayName: "IDE", Active: true}
	ts.must(t, orgA, func(tx *store.Tx) error { return tx.CreateUser(&u, "h") })
	nurse := domain.Membership{UserID: u.ID, EstablishmentID: estabA, Role: domain.RoleInfirmier}
	lead := domain.Membership{UserID: u.ID, EstablishmentID: estabA, Role: domain.RoleCadreSante}
	ts.must(t, orgA, func(tx *store.Tx) error {
		if err := tx.AddMembership(nurse); err != nil {
			return err
		}
		return tx.AddMembership(lead)
	})

	tests := []struct {
		name  string
		m     domain.Membership
		check func(error) bool
	}{
		{"already held", nurse, func(err error) bool { return errors.Is(err, domain.ErrConflict) }},
		{"establishment of another organisation", domain.Membership{UserID: u.ID, EstablishmentID: estabB, Role: domain.RoleInfirmier},
			func(err error) bool { return errors.Is(err, domain.ErrNotFound) }},
		{"unknown role", domain.Membership{UserID: u.ID, EstablishmentID: estabA, Role: "sorcier"},
			func(err error) bool { v, ok := domain.AsValidation(err); return ok && v.Fields["role"] != "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := ts.in(orgA, func(tx *store.Tx) error { return tx.AddMembership(tt.m) }); !tt.check(err) {
				t.Errorf("AddMembership error = %v", err)
			}
		})
	}

	ts.must(t, orgA, func(tx *store.Tx) error {
		ms, err := tx.Memberships(u.ID)
		if err != nil {
			return err
		}
		// Ordered by establishment then role: cadre_sante before infirmier.
		if len(ms) != 2 || ms[0] != lead || ms[1] != nurse {
			t.Errorf("Memberships = %+v", ms)
		}
		if err := tx.RemoveMembership(lead); err != nil {
			return err
		}
		if err := tx.RemoveMembership(lead); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("second RemoveMembership error = %v, want ErrNotFound", err)
		}
		all, err := tx.AllMemberships()
		if err != nil {
			return err
		}
		if len(all) != 1 || all[0] != nurse {
			t.Errorf("AllMemberships = %+v", all)
		}
		return nil
	})
	ts.must(t, orgB, func(tx *store.Tx) error {
		all, err := tx.AllMemberships()
		if len(all) != 0 {
			t.Errorf("org B sees memberships of org A: %+v", all)
		}
		return err
	})
}
