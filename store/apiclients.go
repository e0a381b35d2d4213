package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

func scopeStrings(s []domain.Scope) textArray {
	out := make(textArray, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return out
}

func parseScopes(raw string) ([]domain.Scope, error) {
	var ss []string
	if err := json.Unmarshal([]byte(raw), &ss); err != nil {
		return nil, fmt.Errorf("scopes: %w", err)
	}
	out := make([]domain.Scope, len(ss))
	for i, s := range ss {
		out[i] = domain.Scope(s)
	}
	return out, nil
}

// CreateAPIClient registers a client with the hash of its secret; a taken
// client id is ErrConflict.
func (tx *Tx) CreateAPIClient(c *domain.APIClient, secretHash string) error {
	c.ID = NewID()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now()
	}
	c.Active = true
	return mapErr("create API client", tx.g.Exec(`INSERT INTO api_clients (id, org_id, client_id, name, establishment_id, role,
		scopes, secret_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, tx.Org, c.ClientID, c.Name, c.EstablishmentID, string(c.Role), scopeStrings(c.Scopes), secretHash,
		c.CreatedAt.UTC(), c.CreatedBy).Error)
}

const apiClientColumns = `id, client_id, name, establishment_id, role, array_to_json(scopes)::text, active, created_at, created_by, revoked_at`

func scanAPIClient(r scanner) (domain.APIClient, error) {
	var c domain.APIClient
	var role, scopes string
	var revoked sql.NullTime
	if err := r.Scan(&c.ID, &c.ClientID, &c.Name, &c.EstablishmentID, &role, &scopes, &c.Active, &c.CreatedAt, &c.CreatedBy, &revoked); err != nil {
		return c, err
	}
	c.Role, c.RevokedAt = domain.Role(role), revoked.Time
	var err error
	c.Scopes, err = parseScopes(scopes)
	return c, err
}

// APIClient reads one client.
func (tx *Tx) APIClient(id uuid.UUID) (domain.APIClient, error) {
	c, err := scanAPIClient(tx.g.Raw(`SELECT `+apiClientColumns+` FROM api_clients WHERE id = ?`, id).Row())
	return c, mapSQL("read API client", err)
}

// APIClients lists the organisation's clients, active ones first.
func (tx *Tx) APIClients() ([]domain.APIClient, error) {
	rows, err := tx.g.Raw(`SELECT ` + apiClientColumns + ` FROM api_clients ORDER BY NOT active, client_id`).Rows()
	if err != nil {
		return nil, mapErr("list API clients", err)
	}
	defer rows.Close()
	var out []domain.APIClient
	for rows.Next() {
		c, err := scanAPIClient(rows)
		if err != nil {
			return nil, fmt.Errorf("scan API client: %w", err)
		}
		out = append(out, c)
	}
	return out, mapErr("list API clients", rows.Err())
}

// RevokeAPIClient disables a client and deletes its tokens: they stop at
// the next request.
func (tx *Tx) RevokeAPIClient(id uuid.UUID, at time.Time) error {
	if err := affected("revoke API client", tx.g.Exec(`UPDATE api_clients SET active = false, revoked_at = ? WHERE id = ? AND active`, at.UTC(), id)); err != nil {
		return err
	}
	return mapErr("drop revoked client's tokens", tx.g.Exec(`DELETE FROM api_tokens WHERE client = ?`, id).Error)
}

// CreateAPIToken stores an issued token's hash.
func (tx *Tx) CreateAPIToken(t domain.APIToken) error {
	return mapErr("create API token", tx.g.Exec(`INSERT INTO api_tokens (token_hash, org_id, client, scopes, expires_at) VALUES (?, ?, ?, ?, ?)`,
		bytea(t.Hash), tx.Org, t.Client, scopeStrings(t.Scopes), t.ExpiresAt.UTC()).Error)
}

// ClientRecord is what the token endpoint needs of a client before the
// tenant is known.
type ClientRecord struct {
	ID         uuid.UUID
	OrgID      uuid.UUID
	SecretHash string
	Active     bool
}

// LookupClient finds a client by its public id across organisations
// (relais_client_lookup, SECURITY DEFINER).
func (db *DB) LookupClient(ctx context.Context, clientID string) (ClientRecord, error) {
	var r ClientRecord
	err := db.gorm.WithContext(ctx).Raw(`SELECT id, org_id, secret_hash, active FROM relais_client_lookup(?)`, clientID).
		Row().Scan(&r.ID, &r.OrgID, &r.SecretHash, &r.Active)
	return r, mapSQL("look up API client", err)
}

// LookupToken finds a live token of an active client by its hash.
func (db *DB) LookupToken(ctx context.Context, hash []byte) (domain.APIToken, error) {
	t := domain.APIToken{Hash: hash}
	var scopes, role string
	err := db.gorm.WithContext(ctx).Raw(`SELECT client, org_id, array_to_json(scopes)::text, expires_at, client_id, name,
		establishment_id, role FROM relais_token_lookup(?)`, bytea(hash)).
		Row().Scan(&t.Client, &t.OrgID, &scopes, &t.ExpiresAt, &t.Owner.ClientID, &t.Owner.Name, &t.Owner.EstablishmentID, &role)
	if err != nil {
		return t, mapSQL("look up API token", err)
	}
	t.Owner.ID, t.Owner.Role, t.Owner.Active = t.Client, domain.Role(role), true
	t.Scopes, err = parseScopes(scopes)
	return t, err
}

// PurgeExpiredTokens deletes expired tokens across organisations.
func (db *DB) PurgeExpiredTokens(ctx context.Context) (int64, error) {
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT relais_purge_expired_tokens()`).Scan(&n)
	return n, mapErr("purge expired API tokens", err)
}

// PlanOfGoal reads the plan version holding a goal (FHIR reads a Goal by
// its own id).
func (tx *Tx) PlanOfGoal(goal uuid.UUID) (domain.Plan, error) {
	var plan uuid.UUID
	if err := tx.g.Raw(`SELECT plan_id FROM plan_goals WHERE id = ?`, goal).Row().Scan(&plan); err != nil {
		return domain.Plan{}, mapSQL("plan of goal", err)
	}
	return tx.Plan(plan)
}
