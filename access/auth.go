package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// ErrBadCredentials is the one answer to a failed login, whether the name is
// unknown, the password wrong or the account disabled: telling them apart
// would let anyone enumerate accounts.
var ErrBadCredentials = errors.New("identifiant ou mot de passe incorrect")

// ErrNoSession is returned by Authenticate when the token names no live
// session (unknown, expired, logged out) or its user is disabled: the
// request is anonymous and must log in.
var ErrNoSession = errors.New("session absente ou expirée")

// ThrottledError refuses a login while too many recent failures are counted
// for the name or the address.
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	minutes := int((e.RetryAfter + time.Minute - 1) / time.Minute)
	return fmt.Sprintf("trop de tentatives de connexion : réessayez dans %d minute(s)", minutes)
}

// AuthOptions tune sessions and login throttling; zero values take the
// defaults given.
type AuthOptions struct {
	SessionTTL         time.Duration    // lifetime of a session; default 12 h (a care shift)
	MaxFailuresPerUser int              // failures per name within Window before lock-out; default 5
	MaxFailuresPerIP   int              // failures per address within Window; default 20
	Window             time.Duration    // default 15 min
	Now                func() time.Time // clock, for tests; default time.Now
}

func (o AuthOptions) withDefaults() AuthOptions {
	if o.SessionTTL <= 0 {
		o.SessionTTL = 12 * time.Hour
	}
	if o.MaxFailuresPerUser <= 0 {
		o.MaxFailuresPerUser = 5
	}
	if o.MaxFailuresPerIP <= 0 {
		o.MaxFailuresPerIP = 20
	}
	if o.Window <= 0 {
		o.Window = 15 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Auth logs users in and out and turns session tokens into principals.
type Auth struct {
	db  *store.DB
	opt AuthOptions

	// decoy is a hash verified when the name is unknown, so that an unknown
	// name costs the same argon2 work as a wrong password. Made on first use.
	decoyOnce sync.Once
	decoy     string
	decoyErr  error
}

// NewAuth returns an Auth over db (an application-role connection).
func NewAuth(db *store.DB, opt AuthOptions) *Auth {
	return &Auth{db: db, opt: opt.withDefaults()}
}

// tokenBytes is the size of session tokens and CSRF tokens: 256 bits.
const tokenBytes = 32

func randomToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// TokenHash is what the database keeps of a session token: its SHA-256, so
// that a read of the sessions table does not give away live sessions. A
// token that is not of the shape Login issues is ErrNoSession.
func TokenHash(token string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != tokenBytes {
		return nil, ErrNoSession
	}
	h := sha256.Sum256(raw)
	return h[:], nil
}

// normaliseUsername is applied to the name typed before lookup and
// throttling: login names are lower-case, and "Marie.Curie " is the same
// person typing on a tablet.
func normaliseUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Login checks a name and password and opens a session, returning the token
// for the cookie. Throttling is checked first: during a lock-out even the
// right password is refused with *ThrottledError, so guessing gains nothing.
// Attempts refused by throttling are not counted, so a lock-out ends one
// Window after the failures that caused it.
func (a *Auth) Login(ctx context.Context, username, password, remoteIP string) (string, error) {
	name := normaliseUsername(username)
	now := a.opt.Now()
	if err := a.checkThrottle(ctx, name, remoteIP, now); err != nil {
		return "", err
	}
	rec, err := a.db.LookupLogin(ctx, name)
	if errors.Is(err, domain.ErrNotFound) {
		a.burnDecoy(password)
		return "", a.fail(ctx, name, remoteIP)
	}
	if err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	ok, err := VerifyPassword(rec.PasswordHash, password)
	if err != nil {
		// A stored hash we cannot read is an operator's problem, not the
		// user's: count it as a failure, but say why in the error chain.
		return "", errors.Join(a.fail(ctx, name, remoteIP), fmt.Errorf("login %s: %w", name, err))
	}
	if !ok || !rec.Active {
		return "", a.fail(ctx, name, remoteIP)
	}
	if err := a.db.ClearLoginFailures(ctx, name); err != nil {
		return "", fmt.Errorf("login: %w", err)
	}
	token, err := randomToken()
	if err != nil {
		return "", err
	}
	csrf, err := randomToken()
	if err != nil {
		return "", err
	}
	hash, _ := TokenHash(token) // our own token: always well-formed
	err = a.db.InTenant(ctx, rec.OrgID, func(tx *store.Tx) error {
		if NeedsRehash(rec.PasswordHash) {
			// The costs were raised since this hash was made: the plain
			// password is at hand only now.
			h, err := HashPassword(password)
			if err != nil {
				return err
			}
			if err := tx.SetPasswordHash(rec.UserID, h); err != nil {
				return err
			}
		}
		return tx.CreateSession(domain.Session{TokenHash: hash, UserID: rec.UserID, OrgID: rec.OrgID,
			CSRFToken: csrf, CreatedAt: now, ExpiresAt: now.Add(a.opt.SessionTTL)})
	})
	if err != nil {
		return "", fmt.Errorf("login: open session: %w", err)
	}
	return token, nil
}

// checkThrottle refuses when the name or the address has reached its
// maximum of failures within the window. The lock lifts when the oldest
// failure that keeps the count at the maximum leaves the window.
func (a *Auth) checkThrottle(ctx context.Context, name, ip string, now time.Time) error {
	limit := max(a.opt.MaxFailuresPerUser, a.opt.MaxFailuresPerIP)
	byUser, byIP, err := a.db.RecentLoginFailures(ctx, name, ip, now.Add(-a.opt.Window), limit)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	var until time.Time
	locked := false
	if len(byUser) >= a.opt.MaxFailuresPerUser {
		locked, until = true, byUser[a.opt.MaxFailuresPerUser-1].Add(a.opt.Window)
	}
	if len(byIP) >= a.opt.MaxFailuresPerIP {
		if t := byIP[a.opt.MaxFailuresPerIP-1].Add(a.opt.Window); !locked || t.After(until) {
			until = t
		}
		locked = true
	}
	if !locked {
		return nil
	}
	// Failures carry the database's clock and now is the server's: never
	// answer "retry in 0 s" while the count still says locked.
	return &ThrottledError{RetryAfter: max(until.Sub(now).Round(time.Second), time.Second)}
}

// fail records a failed attempt and returns ErrBadCredentials.
func (a *Auth) fail(ctx context.Context, name, ip string) error {
	if err := a.db.RecordLoginFailure(ctx, name, ip); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	return ErrBadCredentials
}

// burnDecoy spends the time of a real verification.
func (a *Auth) burnDecoy(password string) {
	a.decoyOnce.Do(func() { a.decoy, a.decoyErr = HashPassword("relais-decoy-password") })
	if a.decoyErr == nil {
		_, _ = VerifyPassword(a.decoy, password) // the answer is meaningless; the work is the point
	}
}

// Authenticate turns a session token into its principal, loading the user
// and their memberships in one tenant transaction. Missing, expired or
// logged-out sessions and disabled users give ErrNoSession.
func (a *Auth) Authenticate(ctx context.Context, token string) (*Principal, error) {
	hash, err := TokenHash(token)
	if err != nil {
		return nil, err
	}
	s, err := a.db.LookupSession(ctx, hash)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if !a.opt.Now().Before(s.ExpiresAt) {
		return nil, ErrNoSession
	}
	p := &Principal{OrgID: s.OrgID, CSRFToken: s.CSRFToken}
	err = a.db.InTenant(ctx, s.OrgID, func(tx *store.Tx) error {
		u, err := tx.User(s.UserID)
		if errors.Is(err, domain.ErrNotFound) {
			return ErrNoSession
		}
		if err != nil {
			return err
		}
		if !u.Active {
			return ErrNoSession
		}
		p.UserID, p.Username, p.DisplayName = u.ID, u.Username, u.DisplayName
		p.Memberships, err = tx.Memberships(u.ID)
		return err
	})
	if errors.Is(err, ErrNoSession) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return p, nil
}

// Logout ends the session of token; a session already gone is not an error.
func (a *Auth) Logout(ctx context.Context, p *Principal, token string) error {
	if p == nil {
		return errors.New("logout: no principal")
	}
	hash, err := TokenHash(token)
	if err != nil {
		return nil // nothing we issued: nothing to end
	}
	err = a.db.InTenant(ctx, p.OrgID, func(tx *store.Tx) error { return tx.DeleteSession(hash) })
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}
