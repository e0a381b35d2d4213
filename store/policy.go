package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Casbin policy lines live in casbin_rule (ptype, v0..v5), a table without
// tenant: the matrix of every organisation is loaded at start. Lines are
// handled as casbin writes them: ptype first, then the values, with trailing
// empty values trimmed. Role-matrix lines are ["p", role, org, section,
// action]; v1 is the organisation.

// policyLockClass is the first key of the advisory lock that serialises
// policy writes of one organisation (the second is the organisation's hash).
const policyLockClass = 0x706f6c // "pol"

const ruleColumns = 7 // ptype + v0..v5

// PolicyRules returns every policy line, in insertion order.
func (db *DB) PolicyRules(ctx context.Context) ([][]string, error) {
	return db.policyRules(ctx, `SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule ORDER BY id`)
}

// OrgPolicyRules returns the p-lines of one organisation (v1 = org).
func (db *DB) OrgPolicyRules(ctx context.Context, org uuid.UUID) ([][]string, error) {
	return db.policyRules(ctx, `SELECT ptype, v0, v1, v2, v3, v4, v5 FROM casbin_rule
		WHERE v1 = $1 AND ptype = 'p' ORDER BY id`, org.String())
}

func (db *DB) policyRules(ctx context.Context, query string, args ...any) ([][]string, error) {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr("read policy", err)
	}
	defer rows.Close()
	var out [][]string
	for rows.Next() {
		var v [ruleColumns]string
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]); err != nil {
			return nil, fmt.Errorf("scan policy line: %w", err)
		}
		n := len(v)
		for n > 1 && v[n-1] == "" {
			n--
		}
		out = append(out, append([]string(nil), v[:n]...))
	}
	return out, mapErr("read policy", rows.Err())
}

// padRule checks a line's shape and pads it to ptype + six values.
func padRule(rule []string) ([ruleColumns]string, error) {
	var v [ruleColumns]string
	if len(rule) < 2 || len(rule) > ruleColumns || rule[0] == "" {
		return v, fmt.Errorf("policy line %q: want a ptype and 1 to 6 values", rule)
	}
	for i, s := range rule {
		if len(s) > 100 { // the columns are varchar(100)
			return v, fmt.Errorf("policy line %q: value longer than 100 characters", rule)
		}
		v[i] = s
	}
	return v, nil
}

func insertRules(ctx context.Context, tx *sql.Tx, rules [][]string) error {
	for _, rule := range rules {
		v, err := padRule(rule)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO casbin_rule (ptype, v0, v1, v2, v3, v4, v5)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, v[0], v[1], v[2], v[3], v[4], v[5], v[6]); err != nil {
			return mapErr(fmt.Sprintf("insert policy line %s", strings.Join(rule, ", ")), err)
		}
	}
	return nil
}

// inTx runs fn in a plain transaction of the pool.
func (db *DB) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return mapErr("begin", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error from fn is the one worth reporting
		return err
	}
	return mapErr("commit", tx.Commit())
}

// lockOrgPolicy serialises policy writers of one organisation until the
// transaction ends, so that two matrix edits cannot interleave their
// delete and insert.
func lockOrgPolicy(ctx context.Context, tx *sql.Tx, org uuid.UUID) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1::int, hashtext($2))`, policyLockClass, org.String())
	return mapErr("lock policy of "+org.String(), err)
}

// checkOrgRules refuses lines that are not p-lines of org: a caller replacing
// one organisation's matrix must not touch another's.
func checkOrgRules(org uuid.UUID, rules [][]string) error {
	for _, r := range rules {
		if len(r) < 3 || r[0] != "p" || r[2] != org.String() {
			return fmt.Errorf("policy line %q is not a p-line of organisation %s", r, org)
		}
	}
	return nil
}

// ReplaceOrgPolicies replaces, in one transaction, every p-line of org with
// rules (each ["p", role, org, section, action]).
func (db *DB) ReplaceOrgPolicies(ctx context.Context, org uuid.UUID, rules [][]string) error {
	if err := checkOrgRules(org, rules); err != nil {
		return fmt.Errorf("replace policy: %w", err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := lockOrgPolicy(ctx, tx, org); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM casbin_rule WHERE v1 = $1 AND ptype = 'p'`, org.String()); err != nil {
			return mapErr("delete policy of "+org.String(), err)
		}
		return insertRules(ctx, tx, rules)
	})
}

// InitOrgPolicies writes rules for org only when it has no p-line yet, and
// reports whether it did. Concurrent callers are serialised, so exactly one
// of them seeds.
func (db *DB) InitOrgPolicies(ctx context.Context, org uuid.UUID, rules [][]string) (bool, error) {
	if err := checkOrgRules(org, rules); err != nil {
		return false, fmt.Errorf("seed policy: %w", err)
	}
	seeded := false
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := lockOrgPolicy(ctx, tx, org); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM casbin_rule WHERE v1 = $1 AND ptype = 'p')`,
			org.String()).Scan(&exists); err != nil {
			return mapErr("check policy of "+org.String(), err)
		}
		if exists {
			return nil
		}
		seeded = true
		return insertRules(ctx, tx, rules)
	})
	return seeded && err == nil, err
}

// AddPolicyRules inserts lines; one already present is ErrConflict.
func (db *DB) AddPolicyRules(ctx context.Context, rules [][]string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return insertRules(ctx, tx, rules) })
}

// RemovePolicyRules deletes lines (exact match on all seven columns); lines
// not present are ignored.
func (db *DB) RemovePolicyRules(ctx context.Context, rules [][]string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, rule := range rules {
			v, err := padRule(rule)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM casbin_rule WHERE ptype = $1 AND v0 = $2 AND v1 = $3
				AND v2 = $4 AND v3 = $5 AND v4 = $6 AND v5 = $7`, v[0], v[1], v[2], v[3], v[4], v[5], v[6]); err != nil {
				return mapErr("delete policy line", err)
			}
		}
		return nil
	})
}
