package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// trailLockClass is the first key of the advisory lock that serialises trail
// appends of one organisation (the second is the organisation's hash).
const trailLockClass = 0x747261 // "tra"

// trailBatch is how many rows VerifyTrail reads at a time.
const trailBatch = 2000

const trailColumns = `seq, org_id, at, user_id, username, role, establishment_id, usager_id, section, action, detail, prev_hash, hash`

func scanTrail(s scanner) (domain.TrailEntry, error) {
	var e domain.TrailEntry
	var estab, usager uuid.NullUUID
	var section, action string
	err := s.Scan(&e.Seq, &e.OrgID, &e.At, &e.UserID, &e.Username, &e.Role, &estab, &usager,
		&section, &action, &e.Detail, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	e.EstablishmentID, e.UsagerID = estab.UUID, usager.UUID
	e.Section, e.Action = domain.Section(section), domain.Action(action)
	return e, err
}

func nullUUID(id uuid.UUID) uuid.NullUUID { return uuid.NullUUID{UUID: id, Valid: id != uuid.Nil} }

// AppendTrail chains e to the organisation's last entry and inserts it. It
// fills e.OrgID, e.At (now, when zero; always UTC to the microsecond),
// e.PrevHash, e.Hash and e.Seq.
//
// The chain needs appends of one organisation to happen one at a time: the
// transaction takes an advisory lock on the organisation, held until it
// commits, then reads the last hash. Transactions that trace therefore queue
// behind each other from their first append to their commit; append late in
// a transaction and keep it short. This relies on READ COMMITTED (the
// default of InTenant): the read after the lock sees the previous holder's
// commit.
func (tx *Tx) AppendTrail(e *domain.TrailEntry) error {
	if err := tx.checkOrg("append trail", e.OrgID); err != nil {
		return err
	}
	if e.UserID == uuid.Nil || e.Section == "" || e.Action == "" {
		return errors.New("append trail: user, section and action are required")
	}
	e.OrgID = tx.Org
	if e.At.IsZero() {
		e.At = time.Now()
	}
	e.At = domain.NormalTrailTime(e.At)
	if err := tx.g.Exec(`SELECT pg_advisory_xact_lock(?::int, hashtext(?))`, trailLockClass, tx.Org.String()).Error; err != nil {
		return mapErr("lock trail", err)
	}
	prev := []byte{}
	err := tx.g.Raw(`SELECT hash FROM access_trail WHERE org_id = ? ORDER BY seq DESC LIMIT 1`, tx.Org).Row().Scan(&prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return mapErr("read last trail hash", err)
	}
	e.PrevHash = prev
	e.Hash = e.ChainHash(prev)
	err = tx.g.Raw(`INSERT INTO access_trail (org_id, at, user_id, username, role, establishment_id, usager_id,
		section, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
		e.OrgID, e.At, e.UserID, e.Username, e.Role, nullUUID(e.EstablishmentID), nullUUID(e.UsagerID),
		string(e.Section), string(e.Action), e.Detail, bytea(e.PrevHash), bytea(e.Hash)).Row().Scan(&e.Seq)
	return mapErr("append trail", err)
}

// Trail returns trail rows of the tenant, newest first, optionally about one
// usager, paged by seq (q.BeforeSeq). Limit defaults to 100, at most 1000.
func (tx *Tx) Trail(q domain.TrailQuery) ([]domain.TrailEntry, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 1000 {
		limit = 1000
	}
	// org_id is implied by RLS but named so the (org_id, …, seq) indexes apply.
	where, args := `org_id = ?`, []any{tx.Org}
	if q.UsagerID != uuid.Nil {
		// A merged record's trail stays under its own id: show it with the kept one.
		where += ` AND usager_id IN (SELECT ?::uuid UNION ALL SELECT id FROM usagers WHERE merged_into = ?)`
		args = append(args, q.UsagerID, q.UsagerID)
	}
	if q.BeforeSeq > 0 {
		where += ` AND seq < ?`
		args = append(args, q.BeforeSeq)
	}
	args = append(args, limit)
	rows, err := tx.g.Raw(`SELECT `+trailColumns+` FROM access_trail WHERE `+where+` ORDER BY seq DESC LIMIT ?`, args...).Rows()
	if err != nil {
		return nil, mapErr("read trail", err)
	}
	defer rows.Close()
	var out []domain.TrailEntry
	for rows.Next() {
		e, err := scanTrail(rows)
		if err != nil {
			return nil, fmt.Errorf("scan trail: %w", err)
		}
		out = append(out, e)
	}
	return out, mapErr("read trail", rows.Err())
}

// VerifyTrail recomputes the chain of every organisation and returns how many
// rows it checked, or a *domain.TrailBrokenError for the first row that does
// not hold. It needs a connection that row-level security does not confine
// (OpenOwner): through the application role it would see no row and prove
// nothing, so it refuses.
//
// Rows are read in seq order by batches inside one REPEATABLE READ snapshot:
// per organisation, seq order is chain order (appends are serialised), and
// the single snapshot keeps a row committed during the walk from appearing
// without its predecessor. Removing the newest rows of a chain leaves a
// valid, shorter chain: compare the counts with an external copy (exports,
// backups) to detect that.
func (db *DB) VerifyTrail(ctx context.Context) (checked int, err error) {
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return 0, mapErr("verify trail: begin", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to keep
	var confined bool
	if err := tx.QueryRowContext(ctx, `SELECT row_security_active('access_trail')`).Scan(&confined); err != nil {
		return 0, mapErr("verify trail: check row security", err)
	}
	if confined {
		return 0, errors.New("verify trail: row-level security confines this connection; use the owner connection (store.OpenOwner)")
	}
	last := map[uuid.UUID][]byte{}
	var after int64
	batch := make([]domain.TrailEntry, 0, trailBatch)
	for {
		batch = batch[:0]
		rows, err := tx.QueryContext(ctx, `SELECT `+trailColumns+` FROM access_trail WHERE seq > $1 ORDER BY seq LIMIT $2`,
			after, trailBatch)
		if err != nil {
			return checked, mapErr("verify trail: read", err)
		}
		for rows.Next() {
			e, err := scanTrail(rows)
			if err != nil {
				rows.Close()
				return checked, fmt.Errorf("verify trail: scan: %w", err)
			}
			batch = append(batch, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return checked, mapErr("verify trail: read", err)
		}
		for _, e := range batch {
			if err := domain.VerifyChain([]domain.TrailEntry{e}, last[e.OrgID]); err != nil {
				return checked, err
			}
			last[e.OrgID] = e.Hash
			checked++
		}
		if len(batch) < trailBatch {
			return checked, nil
		}
		after = batch[len(batch)-1].Seq
	}
}
