package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

func TestSessions(t *testing.T) {
	ctx := context.Background()
	ts := newTenants(t, 2)
	orgA, orgB := ts.orgs[0], ts.orgs[1]
	u := domain.User{Username: "sec", DisplayName: "Secrétariat", Active: true}
	ts.must(t, orgA, func(tx *store.Tx) error { return tx.CreateUser(&u, "h") })

	now := time.Now()
	live := domain.Session{TokenHash: []byte("live-token-hash"), UserID: u.ID, CSRFToken: "csrf", ExpiresAt: now.Add(time.Hour)}
	expired := domain.Session{TokenHash: []byte("old-token-hash"), UserID: u.ID, CSRFToken: "csrf2",
		CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	ts.must(t, orgA, func(tx *store.Tx) error {
		if err := tx.CreateSession(live); err != nil {
			return err
		}
		return tx.CreateSession(expired)
	})

	got, err := ts.db.LookupSession(ctx, live.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != u.ID || got.OrgID != orgA || got.CSRFToken != "csrf" || !got.ExpiresAt.Equal(live.ExpiresAt.Truncate(time.Microsecond)) {
		t.Errorf("LookupSession = %+v", got)
	}
	for name, hash := range map[string][]byte{"expired": expired.TokenHash, "unknown": []byte("nope")} {
		if _, err := ts.db.LookupSession(ctx, hash); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("LookupSession(%s) error = %v, want ErrNotFound", name, err)
		}
	}

	// Another organisation cannot end the session.
	if err := ts.in(orgB, func(tx *store.Tx) error { return tx.DeleteSession(live.TokenHash) }); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("org B DeleteSession error = %v, want ErrNotFound", err)
	}
	n, err := ts.db.PurgeExpiredSessions(ctx)
	if err != nil || n != 1 {
		t.Errorf("PurgeExpiredSessions = %d, %v; want 1 (the expired one)", n, err)
	}
	ts.must(t, orgA, func(tx *store.Tx) error {
		if err := tx.DeleteSession(live.TokenHash); err != nil {
			return err
		}
		if err := tx.DeleteSession(live.TokenHash); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("second DeleteSession error = %v, want ErrNotFound", err)
		}
		return nil
	})
	if _, err := ts.db.LookupSession(ctx, live.TokenHash); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("LookupSession after delete error = %v, want ErrNotFound", err)
	}

	ts.must(t, orgA, func(tx *store.Tx) error {
		for _, h := range []string{"a", "b"} {
			s := domain.Session{TokenHash: []byte(h), UserID: u.ID, ExpiresAt: now.Add(time.Hour)}
			if err := tx.CreateSession(s); err != nil {
				return err
			}
		}
		n, err := tx.DeleteUserSessions(u.ID)
		if n != 2 {
			t.Errorf("DeleteUserSessions = %d, want 2", n)
		}
		return err
	})
}

func TestLoginFailures(t *testing.T) {
	ctx := context.Background()
	ts := newTenants(t, 0)
	db := ts.db
	start := time.Now().Add(-time.Minute)
	for _, f := range []struct{ user, ip string }{
		{"alice", "10.0.0.1"}, {"alice", "10.0.0.1"}, {"alice", "10.0.0.2"}, {"bob", "10.0.0.1"},
	} {
		if err := db.RecordLoginFailure(ctx, f.user, f.ip); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		user, ip      string
		since         time.Time
		byUser, byIP  int
		recentLimited int // len(byUser times) with limit 2
	}{
		{"alice", "10.0.0.1", start, 3, 3, 2},
		{"bob", "10.0.0.2", start, 1, 1, 1},
		{"carol", "10.0.0.9", start, 0, 0, 0},
		{"alice", "10.0.0.1", time.Now().Add(time.Minute), 0, 0, 0},
	}
	for _, tt := range tests {
		byUser, byIP, err := db.LoginFailures(ctx, tt.user, tt.ip, tt.since)
		if err != nil || byUser != tt.byUser || byIP != tt.byIP {
			t.Errorf("LoginFailures(%s, %s) = %d, %d, %v; want %d, %d", tt.user, tt.ip, byUser, byIP, err, tt.byUser, tt.byIP)
		}
		times, _, err := db.RecentLoginFailures(ctx, tt.user, tt.ip, tt.since, 2)
		if err != nil || len(times) != tt.recentLimited {
			t.Errorf("RecentLoginFailures(%s) = %v, %v; want %d times", tt.user, times, err, tt.recentLimited)
		}
		for i := 1; i < len(times); i++ {
			if times[i].After(times[i-1]) {
				t.Errorf("RecentLoginFailures not newest first: %v", times)
			}
		}
	}
	if err := db.ClearLoginFailures(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if byUser, byIP, _ := db.LoginFailures(ctx, "alice", "10.0.0.1", start); byUser != 0 || byIP != 1 {
		t.Errorf("after clearing alice: byUser %d, byIP %d; want 0 and 1 (bob's failure from that address stays)", byUser, byIP)
	}
	if n, err := db.PurgeLoginFailures(ctx, time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("PurgeLoginFailures = %d, %v; want 1", n, err)
	}
}
