package access_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

const goodPassword = "tisane du soir 2026"

// authWorld has one organisation, an active nurse with roles in both
// establishments and a disabled account, both with goodPassword.
type authWorld struct {
	world
	clock *clock
	auth  *access.Auth
	nurse domain.User
}

func newAuthWorld(t *testing.T, opt access.AuthOptions) authWorld {
	t.Helper()
	w := authWorld{world: newWorld(t, 1), clock: newClock()}
	hash, err := access.HashPassword(goodPassword)
	if err != nil {
		t.Fatal(err)
	}
	org, es := w.orgs[0], w.estabs[0]
	w.nurse = w.addUser(t, org, "ide.martin", hash, true,
		domain.Membership{EstablishmentID: es[0], Role: domain.RoleInfirmier},
		domain.Membership{EstablishmentID: es[1], Role: domain.RoleAideSoignant})
	w.addUser(t, org, "ancien", hash, false, domain.Membership{EstablishmentID: es[0], Role: domain.RoleInfirmier})
	opt.Now = w.clock.Now
	w.auth = access.NewAuth(w.db, opt)
	return w
}

func TestLogin(t *testing.T) {
	ctx := context.Background()
	w := newAuthWorld(t, access.AuthOptions{})
	tests := []struct {
		name, user, pw, ip string
		wantErr            error
	}{
		{"success", "ide.martin", goodPassword, "10.0.0.1", nil},
		{"name typed with capitals and spaces", "  IDE.Martin ", goodPassword, "10.0.0.2", nil},
		{"wrong password", "ide.martin", goodPassword + "x", "10.0.0.3", access.ErrBadCredentials},
		{"unknown user", "personne", goodPassword, "10.0.0.4", access.ErrBadCredentials},
		{"inactive account", "ancien", goodPassword, "10.0.0.5", access.ErrBadCredentials},
		{"empty password", "ide.martin", "", "10.0.0.6", access.ErrBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, err := w.auth.Login(ctx, tt.user, tt.pw, tt.ip)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Login error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if token != "" {
					t.Errorf("failed Login returned token %q", token)
				}
				return
			}
			p, err := w.auth.Authenticate(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			if p.UserID != w.nurse.ID || p.OrgID != w.orgs[0] || p.Username != "ide.martin" || p.DisplayName != w.nurse.DisplayName {
				t.Errorf("principal = %+v", p)
			}
			if len(p.CSRFToken) < 43 || strings.Contains(token, p.CSRFToken) {
				t.Errorf("CSRF token %q: want 256 random bits, distinct from the session token", p.CSRFToken)
			}
			if got := p.Establishments(); len(got) != 2 {
				t.Errorf("Establishments() = %v, want both", got)
			}
			if got := p.RolesIn(w.estabs[0][1]); len(got) != 1 || got[0] != domain.RoleAideSoignant {
				t.Errorf("RolesIn(second site) = %v", got)
			}
		})
	}

	// The database keeps the token's hash, not the token.
	token, err := w.auth.Login(ctx, "ide.martin", goodPassword, "10.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	owner, err := store.OpenOwner(ctx, w.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	hash, _ := access.TokenHash(token)
	if err := owner.SQL().QueryRowContext(ctx, `SELECT count(*) FROM sessions WHERE token_hash = $1`, hash).Scan(&stored); err != nil || stored != 1 {
		t.Errorf("sessions holding the token's SHA-256: %d (%v), want 1", stored, err)
	}

	for _, bad := range []string{"", "not-base64!", "c2hvcnQ", strings.Repeat("A", 43)} {
		if _, err := w.auth.Authenticate(ctx, bad); !errors.Is(err, access.ErrNoSession) {
			t.Errorf("Authenticate(%q) error = %v, want ErrNoSession", bad, err)
		}
	}
}

func TestLoginThrottling(t *testing.T) {
	ctx := context.Background()
	w := newAuthWorld(t, access.AuthOptions{})
	for i := range 5 {
		if _, err := w.auth.Login(ctx, "ide.martin", "mauvais mot de passe", "10.0.0.1"); !errors.Is(err, access.ErrBadCredentials) {
			t.Fatalf("failure %d: error = %v", i+1, err)
		}
	}
	// Locked: even the right password, even from another address.
	for _, ip := range []string{"10.0.0.1", "10.9.9.9"} {
		_, err := w.auth.Login(ctx, "ide.martin", goodPassword, ip)
		var th *access.ThrottledError
		if !errors.As(err, &th) {
			t.Fatalf("right password during lock-out from %s: error = %v, want ThrottledError", ip, err)
		}
		if th.RetryAfter <= 0 || th.RetryAfter > 15*time.Minute {
			t.Errorf("RetryAfter = %v, want within the 15 min window", th.RetryAfter)
		}
		if !strings.Contains(th.Error(), "réessayez") {
			t.Errorf("message %q is not the French one", th.Error())
		}
	}
	// Another account is not locked by this one's failures.
	if _, err := w.auth.Login(ctx, "ancien", goodPassword, "10.0.0.7"); !errors.Is(err, access.ErrBadCredentials) {
		t.Errorf("other account: error = %v, want ErrBadCredentials (not throttled)", err)
	}
	w.clock.Advance(16 * time.Minute)
	token, err := w.auth.Login(ctx, "ide.martin", goodPassword, "10.0.0.1")
	if err != nil {
		t.Fatalf("after the window: %v", err)
	}
	if _, err := w.auth.Authenticate(ctx, token); err != nil {
		t.Error(err)
	}
	// Success cleared the name's failures: one new failure does not lock.
	w.clock.Advance(-16 * time.Minute)
	if _, err := w.auth.Login(ctx, "ide.martin", "encore faux", "10.0.0.1"); !errors.Is(err, access.ErrBadCredentials) {
		t.Errorf("after success, a failure: error = %v, want ErrBadCredentials", err)
	}
}

func TestLoginThrottlingByAddress(t *testing.T) {
	ctx := context.Background()
	w := newAuthWorld(t, access.AuthOptions{MaxFailuresPerIP: 3})
	for _, name := range []string{"a1", "a2", "a3"} {
		if _, err := w.auth.Login(ctx, name, "x", "192.0.2.1"); !errors.Is(err, access.ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	var th *access.ThrottledError
	if _, err := w.auth.Login(ctx, "ide.martin", goodPassword, "192.0.2.1"); !errors.As(err, &th) {
		t.Errorf("address that tried 3 names: error = %v, want ThrottledError", err)
	}
	if _, err := w.auth.Login(ctx, "ide.martin", goodPassword, "192.0.2.2"); err != nil {
		t.Errorf("another address: %v", err)
	}
}

func TestSessionExpiryLogoutAndDisabledAccount(t *testing.T) {
	ctx := context.Background()
	w := newAuthWorld(t, access.AuthOptions{SessionTTL: time.Hour})
	login := func() string {
		t.Helper()
		token, err := w.auth.Login(ctx, "ide.martin", goodPassword, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		return token
	}

	token := login()
	w.clock.Advance(59 * time.Minute)
	if _, err := w.auth.Authenticate(ctx, token); err != nil {
		t.Fatalf("session within its lifetime: %v", err)
	}
	w.clock.Advance(2 * time.Minute)
	if _, err := w.auth.Authenticate(ctx, token); !errors.Is(err, access.ErrNoSession) {
		t.Errorf("expired session: error = %v, want ErrNoSession", err)
	}

	// A session whose expiry has passed at the database's clock is not found
	// there either.
	w.clock.Advance(-3 * time.Hour)
	old := login()
	w.clock.Advance(3 * time.Hour)
	if _, err := w.auth.Authenticate(ctx, old); !errors.Is(err, access.ErrNoSession) {
		t.Errorf("session expired at the database's clock: error = %v, want ErrNoSession", err)
	}

	token = login()
	p, err := w.auth.Authenticate(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.auth.Logout(ctx, p, token); err != nil {
		t.Fatal(err)
	}
	if _, err := w.auth.Authenticate(ctx, token); !errors.Is(err, access.ErrNoSession) {
		t.Errorf("after logout: error = %v, want ErrNoSession", err)
	}
	if err := w.auth.Logout(ctx, p, token); err != nil {
		t.Errorf("second logout: %v", err)
	}

	token = login()
	w.nurse.Active = false
	if err := w.db.InTenant(ctx, w.orgs[0], func(tx *store.Tx) error { return tx.UpdateUser(&w.nurse) }); err != nil {
		t.Fatal(err)
	}
	if _, err := w.auth.Authenticate(ctx, token); !errors.Is(err, access.ErrNoSession) {
		t.Errorf("session of a disabled account: error = %v, want ErrNoSession", err)
	}
}

// A hash made with lower costs is replaced at the next good login.
func TestLoginRehashesWeakHashes(t *testing.T) {
	ctx := context.Background()
	w := newAuthWorld(t, access.AuthOptions{})
	weak, err := access.HashPasswordWith(goodPassword, cheap())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.InTenant(ctx, w.orgs[0], func(tx *store.Tx) error { return tx.SetPasswordHash(w.nurse.ID, weak) }); err != nil {
		t.Fatal(err)
	}
	if _, err := w.auth.Login(ctx, "ide.martin", goodPassword, "10.0.0.1"); err != nil {
		t.Fatal(err)
	}
	rec, err := w.db.LookupLogin(ctx, "ide.martin")
	if err != nil {
		t.Fatal(err)
	}
	if rec.PasswordHash == weak || access.NeedsRehash(rec.PasswordHash) {
		t.Errorf("hash after login %q: want one with today's costs", rec.PasswordHash)
	}
	if ok, _ := access.VerifyPassword(rec.PasswordHash, goodPassword); !ok {
		t.Error("the new hash does not verify the password")
	}
}
