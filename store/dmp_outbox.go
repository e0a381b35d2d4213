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

// dmpOutboxTables hold rows of a usager (moved by a merge).
var dmpOutboxTables = []string{"dmp_outbox"}

const dmpOutboxColumns = `id, usager_id, establishment_id, kind, unique_id, set_id, title, descriptor::text, section,
	requested_by, requested_by_name, requested_role, status, attempts, next_attempt_at, last_error, created_at, sent_at`

func scanDMPOutbox(s scanner, withCDA bool) (domain.DMPOutboxItem, error) {
	var it domain.DMPOutboxItem
	var kind, desc, section, status string
	var sent sql.NullTime
	dest := []any{&it.ID, &it.UsagerID, &it.EstablishmentID, &kind, &it.UniqueID, &it.SetID, &it.Title, &desc, &section,
		&it.RequestedBy, &it.RequestedByName, &it.RequestedRole, &status, &it.Attempts, &it.NextAttemptAt, &it.LastError,
		&it.CreatedAt, &sent}
	if withCDA {
		dest = append(dest, &it.CDA)
	}
	if err := s.Scan(dest...); err != nil {
		return it, err
	}
	it.Kind, it.Section, it.Status, it.SentAt = domain.DMPKind(kind), domain.Section(section), domain.DMPOutboxStatus(status), sent.Time
	it.NextAttemptAt, it.CreatedAt = it.NextAttemptAt.UTC(), it.CreatedAt.UTC()
	if err := json.Unmarshal([]byte(desc), &it.Descriptor); err != nil {
		return it, fmt.Errorf("DMP descriptor: %w", err)
	}
	return it, nil
}

// EnqueueDMP inserts the row unless one of the same uniqueId and kind
// exists (then it reads that one back into item).
func (tx *Tx) EnqueueDMP(item *domain.DMPOutboxItem) (bool, error) {
	desc, err := json.Marshal(item.Descriptor)
	if err != nil {
		return false, fmt.Errorf("enqueue DMP: %w", err)
	}
	id := NewID()
	now := time.Now().UTC()
	var cda any
	if len(item.CDA) > 0 {
		cda = item.CDA
	}
	r := tx.g.Exec(`INSERT INTO dmp_outbox (id, org_id, usager_id, establishment_id, kind, unique_id, set_id, title, cda, descriptor,
		section, requested_by, requested_by_name, requested_role, next_attempt_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?) ON CONFLICT (unique_id, kind) DO NOTHING`,
		id, tx.Org, item.UsagerID, item.EstablishmentID, string(item.Kind), item.UniqueID, item.SetID, item.Title, cda, string(desc),
		string(item.Section), item.RequestedBy, item.RequestedByName, item.RequestedRole, now, now)
	if r.Error != nil {
		return false, mapErr("enqueue DMP", r.Error)
	}
	got, err := scanDMPOutbox(tx.g.Raw(`SELECT `+dmpOutboxColumns+` FROM dmp_outbox WHERE unique_id = ? AND kind = ?`,
		item.UniqueID, string(item.Kind)).Row(), false)
	if err != nil {
		return false, mapSQL("read DMP outbox row", err)
	}
	cdaIn := item.CDA
	*item = got
	item.CDA = cdaIn
	return r.RowsAffected == 1, nil
}

// DMPOutbox lists a usager's rows, newest first.
func (tx *Tx) DMPOutbox(usager uuid.UUID) ([]domain.DMPOutboxItem, error) {
	rows, err := tx.g.Raw(`SELECT `+dmpOutboxColumns+` FROM dmp_outbox WHERE usager_id = ? ORDER BY created_at DESC, id DESC`, usager).Rows()
	if err != nil {
		return nil, mapErr("list DMP outbox", err)
	}
	defer rows.Close()
	var out []domain.DMPOutboxItem
	for rows.Next() {
		it, err := scanDMPOutbox(rows, false)
		if err != nil {
			return nil, mapErr("list DMP outbox", err)
		}
		out = append(out, it)
	}
	return out, mapErr("list DMP outbox", rows.Err())
}

// ClaimDMP leases due rows: the inner SELECT skips rows another worker has
// locked, and the lease (next_attempt_at pushed forward) keeps them away
// from other workers once this transaction commits.
func (tx *Tx) ClaimDMP(now time.Time, lease time.Duration, limit int) ([]domain.DMPOutboxItem, error) {
	rows, err := tx.g.Raw(`UPDATE dmp_outbox SET attempts = attempts + 1, next_attempt_at = ?
		WHERE id IN (SELECT id FROM dmp_outbox WHERE status = 'waiting' AND next_attempt_at <= ?
		             ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
		RETURNING `+dmpOutboxColumns+`, cda`, now.Add(lease).UTC(), now.UTC(), limit).Rows()
	if err != nil {
		return nil, mapErr("claim DMP outbox", err)
	}
	defer rows.Close()
	var out []domain.DMPOutboxItem
	for rows.Next() {
		it, err := scanDMPOutbox(rows, true)
		if err != nil {
			return nil, mapErr("claim DMP outbox", err)
		}
		out = append(out, it)
	}
	return out, mapErr("claim DMP outbox", rows.Err())
}

// MarkDMP records an outcome if the row is still at the attempt claimed.
func (tx *Tx) MarkDMP(id uuid.UUID, attempt int, o domain.DMPOutcome) (bool, error) {
	var res int64
	var err error
	switch o.Status {
	case domain.DMPSent:
		q := tx.g.Exec(`UPDATE dmp_outbox SET status = 'sent', sent_at = ?, last_error = '' WHERE id = ? AND status = 'waiting' AND attempts = ?`,
			o.At.UTC(), id, attempt)
		res, err = q.RowsAffected, q.Error
	case domain.DMPRefused:
		q := tx.g.Exec(`UPDATE dmp_outbox SET status = 'refused', last_error = ? WHERE id = ? AND status = 'waiting' AND attempts = ?`,
			o.Reason, id, attempt)
		res, err = q.RowsAffected, q.Error
	case domain.DMPWaiting:
		q := tx.g.Exec(`UPDATE dmp_outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND status = 'waiting' AND attempts = ?`,
			o.NextTryAt.UTC(), o.Reason, id, attempt)
		res, err = q.RowsAffected, q.Error
	default:
		return false, fmt.Errorf("mark DMP outbox: unknown status %q", o.Status)
	}
	if err != nil {
		return false, mapErr("mark DMP outbox", err)
	}
	return res == 1, nil
}

// DMPDueOrganisations lists the organisations with rows due at now (the
// worker then works inside each one's tenant transaction).
func (db *DB) DMPDueOrganisations(ctx context.Context, now time.Time) ([]uuid.UUID, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT org_id FROM relais_dmp_outbox_due_orgs($1)`, now.UTC())
	if err != nil {
		return nil, fmt.Errorf("DMP outbox due organisations: %w", err)
	}
	defer rows.Close()
	var out []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("DMP outbox due organisations: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// DMPSentPerMonth counts sent documents per establishment and month.
func (tx *Tx) DMPSentPerMonth(establishments []uuid.UUID, from, to time.Time) ([]domain.DMPMonthCount, error) {
	rows, err := tx.g.Raw(`SELECT establishment_id, date_trunc('month', sent_at AT TIME ZONE 'Europe/Paris')::date AS month, count(*)
		FROM dmp_outbox WHERE status = 'sent' AND kind = 'provide' AND establishment_id IN ? AND sent_at >= ? AND sent_at < ?
		GROUP BY 1, 2 ORDER BY 1, 2`, establishments, from.UTC(), to.UTC()).Rows()
	if err != nil {
		return nil, mapErr("DMP documents per month", err)
	}
	defer rows.Close()
	var out []domain.DMPMonthCount
	for rows.Next() {
		var c domain.DMPMonthCount
		if err := rows.Scan(&c.EstablishmentID, &c.Month, &c.Sent); err != nil {
			return nil, mapErr("DMP documents per month", err)
		}
		c.Month = time.Date(c.Month.Year(), c.Month.Month(), 1, 0, 0, 0, 0, time.UTC)
		out = append(out, c)
	}
	return out, mapErr("DMP documents per month", rows.Err())
}
