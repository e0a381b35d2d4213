package store

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// medicalTables hold rows of a usager (moved on a merge).
var medicalTables = []string{"medical_items", "medical_reports", "delegations"}

const medicalItemColumns = `id, usager_id, kind, label, code, reaction, criticality, onset, note, status, status_note,
	author_id, author_name, recorded_at, changed_at, changed_by`

func scanMedicalItem(r scanner) (domain.MedicalItem, error) {
	var m domain.MedicalItem
	var kind, crit, status string
	var onset, changed sql.NullTime
	err := r.Scan(&m.ID, &m.UsagerID, &kind, &m.Label, &m.Code, &m.Reaction, &crit, &onset, &m.Note, &status, &m.StatusNote,
		&m.AuthorID, &m.AuthorName, &m.RecordedAt, &changed, &m.ChangedBy)
	m.Kind, m.Criticality, m.Status = domain.MedicalKind(kind), domain.Criticality(crit), domain.MedicalStatus(status)
	m.Onset, m.ChangedAt = onset.Time, changed.Time
	return m, err
}

// SaveMedicalItem inserts an item (ID Nil) or records its status change;
// what was written is not rewritten.
func (tx *Tx) SaveMedicalItem(m *domain.MedicalItem) error {
	if m.ID == uuid.Nil {
		m.ID = NewID()
		if m.RecordedAt.IsZero() {
			m.RecordedAt = time.Now()
		}
		return mapErr("record medical item", tx.g.Exec(`INSERT INTO medical_items (id, org_id, usager_id, kind, label, code,
			reaction, criticality, onset, note, status, status_note, author_id, author_name, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, tx.Org, m.UsagerID, string(m.Kind), m.Label, m.Code, m.Reaction, string(m.Criticality), dateArg(m.Onset),
			m.Note, string(m.Status), m.StatusNote, m.AuthorID, m.AuthorName, m.RecordedAt.UTC()).Error)
	}
	return affected("change medical item", tx.g.Exec(`UPDATE medical_items SET status = ?, status_note = ?, changed_at = ?, changed_by = ?
		WHERE id = ?`, string(m.Status), m.StatusNote, nullTime(m.ChangedAt), m.ChangedBy, m.ID))
}

// MedicalItem reads one item.
func (tx *Tx) MedicalItem(id uuid.UUID) (domain.MedicalItem, error) {
	m, err := scanMedicalItem(tx.g.Raw(`SELECT `+medicalItemColumns+` FROM medical_items WHERE id = ?`, id).Row())
	return m, mapSQL("read medical item", err)
}

func (tx *Tx) medicalItems(what, where string, args ...any) ([]domain.MedicalItem, error) {
	rows, err := tx.g.Raw(`SELECT `+medicalItemColumns+` FROM medical_items WHERE `+where+`
		ORDER BY (status <> 'active'), recorded_at DESC`, args...).Rows()
	if err != nil {
		return nil, mapErr(what, err)
	}
	defer rows.Close()
	var out []domain.MedicalItem
	for rows.Next() {
		m, err := scanMedicalItem(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, m)
	}
	return out, mapErr(what, rows.Err())
}

// MedicalItems lists a usager's items, active ones first.
func (tx *Tx) MedicalItems(usager uuid.UUID) ([]domain.MedicalItem, error) {
	return tx.medicalItems("list medical items", `usager_id = ?`, usager)
}

// Allergies are the active allergies and intolerances of a usager.
func (tx *Tx) Allergies(usager uuid.UUID) ([]domain.MedicalItem, error) {
	return tx.medicalItems("list allergies", `usager_id = ? AND status = 'active' AND kind IN ('allergie','intolerance')`, usager)
}

// SaveMedicalReport inserts a report; reports are never rewritten.
func (tx *Tx) SaveMedicalReport(r *domain.MedicalReport) error {
	if r.ID != uuid.Nil {
		return fmt.Errorf("medical report %s: reports are not rewritten: %w", r.ID, domain.ErrConflict)
	}
	r.ID = NewID()
	if r.RecordedAt.IsZero() {
		r.RecordedAt = time.Now()
	}
	return mapErr("record medical report", tx.g.Exec(`INSERT INTO medical_reports (id, org_id, usager_id, kind, title, report_date,
		body, author_id, author_name, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, tx.Org, r.UsagerID, string(r.Kind), r.Title, dateArg(r.Date), r.Body, r.AuthorID, r.AuthorName, r.RecordedAt.UTC()).Error)
}

// MedicalReports lists a usager's reports, newest first.
func (tx *Tx) MedicalReports(usager uuid.UUID) ([]domain.MedicalReport, error) {
	rows, err := tx.g.Raw(`SELECT id, usager_id, kind, title, report_date, body, author_id, author_name, recorded_at
		FROM medical_reports WHERE usager_id = ? ORDER BY report_date DESC, recorded_at DESC`, usager).Rows()
	if err != nil {
		return nil, mapErr("list medical reports", err)
	}
	defer rows.Close()
	var out []domain.MedicalReport
	for rows.Next() {
		var r domain.MedicalReport
		var kind string
		if err := rows.Scan(&r.ID, &r.UsagerID, &kind, &r.Title, &r.Date, &r.Body, &r.AuthorID, &r.AuthorName, &r.RecordedAt); err != nil {
			return nil, fmt.Errorf("scan medical report: %w", err)
		}
		r.Kind = domain.ReportKind(kind)
		out = append(out, r)
	}
	return out, mapErr("list medical reports", rows.Err())
}

const delegationColumns = `d.id, d.user_id, d.user_name, d.role, d.establishment_id, d.usager_id,
	upper(coalesce(nullif(u.used_name, ''), u.birth_name)) || ' ' || coalesce(nullif(u.used_first_name, ''), u.first_names[1]),
	d.section, d.reason, d.started_at, d.expires_at, d.ended_at, d.ended_by`

func scanDelegation(r scanner) (domain.Delegation, error) {
	var d domain.Delegation
	var role, section string
	var ended sql.NullTime
	err := r.Scan(&d.ID, &d.UserID, &d.UserName, &role, &d.EstablishmentID, &d.UsagerID, &d.UsagerName, &section, &d.Reason,
		&d.StartedAt, &d.ExpiresAt, &ended, &d.EndedBy)
	d.Role, d.Section, d.EndedAt = domain.Role(role), domain.Section(section), ended.Time
	return d, err
}

// SaveDelegation opens a delegation (ID Nil) or records its early end.
func (tx *Tx) SaveDelegation(d *domain.Delegation) error {
	if d.ID == uuid.Nil {
		d.ID = NewID()
		return mapErr("open delegation", tx.g.Exec(`INSERT INTO delegations (id, org_id, user_id, user_name, role,
			establishment_id, usager_id, section, reason, started_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, tx.Org, d.UserID, d.UserName, string(d.Role), d.EstablishmentID, d.UsagerID, string(d.Section), d.Reason,
			d.StartedAt.UTC(), d.ExpiresAt.UTC()).Error)
	}
	return affected("end delegation", tx.g.Exec(`UPDATE delegations SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL`,
		d.EndedAt.UTC(), d.EndedBy, d.ID))
}

func (tx *Tx) delegations(what, where string, args ...any) ([]domain.Delegation, error) {
	rows, err := tx.g.Raw(`SELECT `+delegationColumns+` FROM delegations d JOIN usagers u ON u.id = d.usager_id
		WHERE `+where+` ORDER BY d.started_at DESC, d.id`, args...).Rows()
	if err != nil {
		return nil, mapErr(what, err)
	}
	defer rows.Close()
	var out []domain.Delegation
	for rows.Next() {
		d, err := scanDelegation(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, d)
	}
	return out, mapErr(what, rows.Err())
}

// Delegation reads one delegation.
func (tx *Tx) Delegation(id uuid.UUID) (domain.Delegation, error) {
	ds, err := tx.delegations("read delegation", `d.id = ?`, id)
	if err != nil {
		return domain.Delegation{}, err
	}
	if len(ds) == 0 {
		return domain.Delegation{}, fmt.Errorf("read delegation %s: %w", id, domain.ErrNotFound)
	}
	return ds[0], nil
}

// ActiveDelegations are user's delegations on usager running at now.
func (tx *Tx) ActiveDelegations(user, usager uuid.UUID, now time.Time) ([]domain.Delegation, error) {
	return tx.delegations("active delegations", `d.user_id = ? AND d.usager_id = ? AND d.started_at <= ? AND d.expires_at > ?
		AND (d.ended_at IS NULL OR d.ended_at > ?)`, user, usager, now.UTC(), now.UTC(), now.UTC())
}

// Delegations lists the delegations opened in estabs since, newest first.
func (tx *Tx) Delegations(estabs []uuid.UUID, since time.Time) ([]domain.Delegation, error) {
	if len(estabs) == 0 {
		return nil, nil
	}
	return tx.delegations("list delegations", `d.establishment_id IN ? AND d.started_at >= ?`, estabs, since.UTC())
}

// DelegationReads are the user's trail entries on the usager's section
// during the delegation's window: what was read under it.
func (tx *Tx) DelegationReads(d domain.Delegation) ([]domain.TrailEntry, error) {
	rows, err := tx.g.Raw(`SELECT `+trailColumns+` FROM access_trail WHERE org_id = ? AND usager_id = ? AND user_id = ?
		AND section = ? AND at >= ? AND at <= ? ORDER BY seq`, tx.Org, d.UsagerID, d.UserID, string(d.Section), d.StartedAt.UTC(), d.End().UTC()).Rows()
	if err != nil {
		return nil, mapErr("delegation reads", err)
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
	return out, mapErr("delegation reads", rows.Err())
}
