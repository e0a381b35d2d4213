package access

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// TokenLifetime of an API access token: short, clients ask again.
const TokenLifetime = time.Hour

// ErrInvalidClient: unknown client, wrong secret or revoked client (OAuth
// invalid_client); ErrInvalidToken: missing, unknown, expired or revoked
// token (401).
var (
	ErrInvalidClient = errors.New("invalid client")
	ErrInvalidToken  = errors.New("invalid token")
	ErrInvalidScope  = errors.New("invalid scope")
)

// ClientAuth issues and checks the bearer tokens of partner API clients.
type ClientAuth struct {
	db    *store.DB
	now   func() time.Time
	decoy string // hash to verify against when the client is unknown
}

// NewClientAuth returns the token service; now may be nil (time.Now).
func NewClientAuth(db *store.DB, now func() time.Time) (*ClientAuth, error) {
	if now == nil {
		now = time.Now
	}
	decoy, err := HashPassword("decoy-secret-for-unknown-clients")
	if err != nil {
		return nil, err
	}
	return &ClientAuth{db: db, now: now, decoy: decoy}, nil
}

// NewClientSecret draws a secret to hand to a partner once.
func NewClientSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("client secret: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// IssuedToken is the answer of the token endpoint.
type IssuedToken struct {
	Token     string
	ExpiresIn time.Duration
	Scopes    []domain.Scope
}

// IssueToken checks the client's credentials and returns a token for the
// requested scopes (all of the client's when none is asked); asking for a
// scope the client was not registered with is ErrInvalidScope.
func (a *ClientAuth) IssueToken(ctx context.Context, clientID, secret string, requested []string) (IssuedToken, error) {
	rec, err := a.db.LookupClient(ctx, clientID)
	if errors.Is(err, domain.ErrNotFound) {
		_, _ = VerifyPassword(a.decoy, secret) // same time whether the client exists or not
		return IssuedToken{}, ErrInvalidClient
	}
	if err != nil {
		return IssuedToken{}, fmt.Errorf("issue token: %w", err)
	}
	ok, err := VerifyPassword(rec.SecretHash, secret)
	if err != nil {
		return IssuedToken{}, fmt.Errorf("issue token: %w", err)
	}
	if !ok || !rec.Active {
		return IssuedToken{}, ErrInvalidClient
	}
	var out IssuedToken
	err = a.db.InTenant(ctx, rec.OrgID, func(tx *store.Tx) error {
		c, err := tx.APIClient(rec.ID)
		if err != nil {
			return err
		}
		out.Scopes = c.Scopes
		if len(requested) > 0 {
			out.Scopes = nil
			for _, r := range requested {
				if !slices.Contains(c.Scopes, domain.Scope(r)) {
					return fmt.Errorf("%w: %s", ErrInvalidScope, r)
				}
				out.Scopes = append(out.Scopes, domain.Scope(r))
			}
		}
		token, err := randomToken()
		if err != nil {
			return err
		}
		hash, err := TokenHash(token)
		if err != nil {
			return err
		}
		out.Token, out.ExpiresIn = token, TokenLifetime
		return tx.CreateAPIToken(domain.APIToken{Hash: hash, OrgID: rec.OrgID, Client: rec.ID, Scopes: out.Scopes, ExpiresAt: a.now().Add(TokenLifetime)})
	})
	return out, err
}

// ClientPrincipal is an authenticated API client: a Principal (its id is
// the client's, its one membership the client's establishment and role, so
// that the role matrix and the trail apply unchanged) and the token's scopes.
type ClientPrincipal struct {
	*Principal
	Client domain.APIClient
	Scopes []domain.Scope
}

// Authenticate turns a bearer token into its client.
func (a *ClientAuth) Authenticate(ctx context.Context, token string) (*ClientPrincipal, error) {
	hash, err := TokenHash(token)
	if err != nil {
		return nil, ErrInvalidToken
	}
	t, err := a.db.LookupToken(ctx, hash)
	if errors.Is(err, domain.ErrNotFound) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate client: %w", err)
	}
	if !a.now().Before(t.ExpiresAt) {
		return nil, ErrInvalidToken
	}
	// The lookup answers only for an active client, and returns it.
	c := t.Owner
	return &ClientPrincipal{
		Principal: &Principal{UserID: c.ID, OrgID: t.OrgID, Username: "client:" + c.ClientID, DisplayName: c.Name,
			Memberships: []domain.Membership{{UserID: c.ID, EstablishmentID: c.EstablishmentID, Role: c.Role}}},
		Client: c, Scopes: t.Scopes,
	}, nil
}

// ClientCredentials returns the secret to hand over once and the hash to
// store: the secret given (the demo's), else a new random one.
func ClientCredentials(secret string) (string, string, error) {
	var err error
	if secret == "" {
		if secret, err = NewClientSecret(); err != nil {
			return "", "", err
		}
	}
	hash, err := HashPassword(secret)
	return secret, hash, err
}

// RegisterClient creates a client in org and returns its secret (see
// ClientCredentials). by names who registered it (an administrator or
// "cli").
func RegisterClient(ctx context.Context, db *store.DB, org uuid.UUID, c *domain.APIClient, by, secret string) (string, error) {
	secret, hash, err := ClientCredentials(secret)
	if err != nil {
		return "", err
	}
	c.CreatedBy = by
	err = db.InTenant(ctx, org, func(tx *store.Tx) error {
		if _, err := tx.Establishment(c.EstablishmentID); err != nil {
			return fmt.Errorf("establishment of the client: %w", err)
		}
		return tx.CreateAPIClient(c, hash)
	})
	return secret, err
}
