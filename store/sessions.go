package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// bytea passes a []byte as one bytea value: gorm expands a bare slice that
// follows "(" into a list of parameters, one per byte.
type bytea []byte

// Value hands the bytes to the driver unchanged.
func (b bytea) Value() (driver.Value, error) { return []byte(b), nil }

// CreateSession stores s (its token hash, never the token) in the tenant.
func (tx *Tx) CreateSession(s domain.Session) error {
	if err := tx.checkOrg("create session", s.OrgID); err != nil {
		return err
	}
	if len(s.TokenHash) == 0 || s.UserID == uuid.Nil || s.ExpiresAt.IsZero() {
		return fmt.Errorf("create session: token hash, user and expiry are required")
	}
	created := s.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	return mapErr("create session", tx.g.Exec(
		`INSERT INTO sessions (token_hash, org_id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		bytea(s.TokenHash), tx.Org, s.UserID, s.CSRFToken, created.UTC(), s.ExpiresAt.UTC()).Error)
}

// DeleteSession ends one session; ErrNotFound when there was none.
func (tx *Tx) DeleteSession(tokenHash []byte) error {
	res := tx.g.Exec(`DELETE FROM sessions WHERE token_hash = ?`, bytea(tokenHash))
	if res.Error != nil {
		return mapErr("delete session", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("delete session: %w", domain.ErrNotFound)
	}
	return nil
}

// DeleteUserSessions ends every session of a user (password reset, account
// disabled) and returns how many there were.
func (tx *Tx) DeleteUserSessions(user uuid.UUID) (int64, error) {
	res := tx.g.Exec(`DELETE FROM sessions WHERE user_id = ?`, user)
	return res.RowsAffected, mapErr("delete user sessions", res.Error)
}

// LookupSession finds a live session by the SHA-256 of its token, before the
// tenant is known, through the SECURITY DEFINER function
// relais_session_lookup. An unknown or expired session is ErrNotFound.
func (db *DB) LookupSession(ctx context.Context, tokenHash []byte) (domain.Session, error) {
	s := domain.Session{TokenHash: tokenHash}
	err := db.gorm.WithContext(ctx).Raw(
		`SELECT user_id, org_id, csrf_token, expires_at FROM relais_session_lookup(?)`, bytea(tokenHash)).
		Row().Scan(&s.UserID, &s.OrgID, &s.CSRFToken, &s.ExpiresAt)
	s.ExpiresAt = s.ExpiresAt.UTC()
	return s, mapSQL("look up session", err)
}

// PurgeExpiredSessions deletes sessions expired before now, across
// organisations (through relais_purge_expired_sessions, since the
// application role sees no session without a tenant). It returns how many
// were removed; run it from a periodic worker.
func (db *DB) PurgeExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := db.sql.QueryRowContext(ctx, `SELECT relais_purge_expired_sessions()`).Scan(&n)
	return n, mapErr("purge expired sessions", err)
}

// RecordLoginFailure notes a failed login for the name typed (known or not)
// and the remote address, at the database's clock.
func (db *DB) RecordLoginFailure(ctx context.Context, username, ip string) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO login_failures (username, remote_ip) VALUES ($1, $2)`, username, ip)
	return mapErr("record login failure", err)
}

// LoginFailures counts failures since a time, for the name and for the
// address.
func (db *DB) LoginFailures(ctx context.Context, username, ip string, since time.Time) (byUser, byIP int, err error) {
	err = db.sql.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM login_failures WHERE username = $1 AND at >= $3),
		(SELECT count(*) FROM login_failures WHERE remote_ip = $2 AND at >= $3)`,
		username, ip, since.UTC()).Scan(&byUser, &byIP)
	return byUser, byIP, mapErr("count login failures", err)
}

// RecentLoginFailures returns the times of the most recent failures since a
// time, newest first, at most limit for the name and limit for the address:
// enough to tell whether a lock-out holds and when it ends.
func (db *DB) RecentLoginFailures(ctx context.Context, username, ip string, since time.Time, limit int) (byUser, byIP []time.Time, err error) {
	byUser, err = db.failureTimes(ctx, "username", username, since, limit)
	if err != nil {
		return nil, nil, err
	}
	byIP, err = db.failureTimes(ctx, "remote_ip", ip, since, limit)
	return byUser, byIP, err
}

// failureTimes reads one key's failure times; column is one of two constants
// chosen above, never user input.
func (db *DB) failureTimes(ctx context.Context, column, value string, since time.Time, limit int) ([]time.Time, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT at FROM login_failures WHERE `+column+` = $1 AND at >= $2
		ORDER BY at DESC LIMIT $3`, value, since.UTC(), limit)
	if err != nil {
		return nil, mapErr("read login failures", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("scan login failure: %w", err)
		}
		out = append(out, t.UTC())
	}
	return out, mapErr("read login failures", rows.Err())
}

// ClearLoginFailures forgets the failures of a name after a successful login.
// Failures by address are kept: they count attempts on every name.
func (db *DB) ClearLoginFailures(ctx context.Context, username string) error {
	_, err := db.sql.ExecContext(ctx, `DELETE FROM login_failures WHERE username = $1`, username)
	return mapErr("clear login failures", err)
}

// PurgeLoginFailures deletes failures older than before (they no longer count
// once outside the throttling window).
func (db *DB) PurgeLoginFailures(ctx context.Context, before time.Time) (int64, error) {
	res, err := db.sql.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, before.UTC())
	if err != nil {
		return 0, mapErr("purge login failures", err)
	}
	n, err := res.RowsAffected()
	return n, mapErr("purge login failures", err)
}
