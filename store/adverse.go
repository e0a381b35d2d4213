package store

import (
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

const adverseColumns = `f.id, f.establishment_id, f.usager_id, f.from_event_id, f.occurred_at, f.place, f.description, f.measures,
	f.category, f.severity, f.life_threatening, f.status, f.causes, f.ars_part1, f.ars_part2, f.closed_at, f.declared_at,
	f.author_id, f.author_name`

func scanAdverse(r scanner) (domain.AdverseEvent, error) {
	var f domain.AdverseEvent
	var usager, from uuid.NullUUID
	var category, status string
	var p1, p2, closed sql.NullTime
	err := r.Scan(&f.ID, &f.EstablishmentID, &usager, &from, &f.OccurredAt, &f.Place, &f.Description, &f.Measures,
		&category, &f.Severity, &f.LifeThreatening, &status, &f.Causes, &p1, &p2, &closed, &f.DeclaredAt, &f.AuthorID, &f.AuthorName)
	if err != nil {
		return f, err
	}
	f.UsagerID, f.FromEventID = usager.UUID, from.UUID
	f.Category, f.Status = domain.AdverseCategory(category), domain.AdverseStatus(status)
	f.ARSPart1, f.ARSPart2, f.ClosedAt = p1.Time, p2.Time, closed.Time
	return f, nil
}

// SaveAdverseEvent inserts a FEI (ID Nil) or updates its follow-up: status,
// analysis, ARS dates and closure; the declaration itself is not rewritten.
func (tx *Tx) SaveAdverseEvent(f *domain.AdverseEvent) error {
	if f.ID == uuid.Nil {
		f.ID = NewID()
		return mapErr("declare adverse event", tx.g.Exec(`INSERT INTO adverse_events (id, org_id, establishment_id, usager_id,
			from_event_id, occurred_at, place, description, measures, category, severity, life_threatening, status, causes,
			ars_part1, ars_part2, closed_at, declared_at, author_id, author_name)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ID, tx.Org, f.EstablishmentID, nullID(f.UsagerID), nullID(f.FromEventID), f.OccurredAt.UTC(), f.Place, f.Description,
			f.Measures, string(f.Category), f.Severity, f.LifeThreatening, string(f.Status), f.Causes, nullTime(f.ARSPart1),
			nullTime(f.ARSPart2), nullTime(f.ClosedAt), f.DeclaredAt.UTC(), f.AuthorID, f.AuthorName).Error)
	}
	r := tx.g.Exec(`UPDATE adverse_events SET status = ?, causes = ?, ars_part1 = ?, ars_part2 = ?, closed_at = ? WHERE id = ?`,
		string(f.Status), f.Causes, nullTime(f.ARSPart1), nullTime(f.ARSPart2), nullTime(f.ClosedAt), f.ID)
	if r.Error != nil {
		return mapErr("update adverse event", r.Error)
	}
	if r.RowsAffected == 0 {
		return fmt.Errorf("update adverse event: %w", domain.ErrNotFound)
	}
	return nil
}

// AdverseEvent reads one FEI with its corrective actions and the name of
// the person it concerns.
func (tx *Tx) AdverseEvent(id uuid.UUID) (domain.AdverseEvent, error) {
	f, err := scanAdverse(tx.g.Raw(`SELECT `+adverseColumns+` FROM adverse_events f WHERE f.id = ?`, id).Row())
	if err == sql.ErrNoRows {
		return f, fmt.Errorf("adverse event: %w", domain.ErrNotFound)
	}
	if err != nil {
		return f, mapErr("read adverse event", err)
	}
	if f.UsagerID != uuid.Nil {
		people, err := tx.usagersByID([]uuid.UUID{f.UsagerID})
		if err != nil {
			return f, err
		}
		f.UsagerName = people[f.UsagerID].DisplayName()
	}
	rows, err := tx.g.Raw(`SELECT id, adverse_id, title, owner, due, done FROM adverse_actions WHERE adverse_id = ? ORDER BY created_at, id`, id).Rows()
	if err != nil {
		return f, mapErr("read corrective actions", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a domain.AdverseAction
		if err := rows.Scan(&a.ID, &a.AdverseID, &a.Title, &a.Owner, &a.Due, &a.Done); err != nil {
			return f, fmt.Errorf("scan corrective action: %w", err)
		}
		f.Actions = append(f.Actions, a)
	}
	return f, mapErr("read corrective actions", rows.Err())
}

// SaveAdverseAction inserts a corrective action (ID Nil) or updates it.
func (tx *Tx) SaveAdverseAction(a *domain.AdverseAction) error {
	if a.ID == uuid.Nil {
		a.ID = NewID()
		return mapErr("create corrective action", tx.g.Exec(`INSERT INTO adverse_actions (id, org_id, adverse_id, title, owner, due, done)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, a.ID, tx.Org, a.AdverseID, a.Title, a.Owner, a.Due, a.Done).Error)
	}
	r := tx.g.Exec(`UPDATE adverse_actions SET title = ?, owner = ?, due = ?, done = ? WHERE id = ? AND adverse_id = ?`,
		a.Title, a.Owner, a.Due, a.Done, a.ID, a.AdverseID)
	if r.Error != nil {
		return mapErr("update corrective action", r.Error)
	}
	if r.RowsAffected == 0 {
		return fmt.Errorf("update corrective action: %w", domain.ErrNotFound)
	}
	return nil
}

// AdverseEvents lists the FEI of the establishments in q, open ones first
// (most recent first), then the last closed ones. FEI about a usager are
// listed only in the establishments of q.WithUsager (care readers); in
// q.Establishments only the FEI about no one in particular.
func (tx *Tx) AdverseEvents(q domain.AdverseQuery) ([]domain.AdverseEvent, error) {
	if len(q.WithUsager) == 0 && len(q.Establishments) == 0 {
		return nil, nil
	}
	with, without := q.WithUsager, append(append([]uuid.UUID{}, q.Establishments...), q.WithUsager...)
	if len(with) == 0 {
		with = []uuid.UUID{uuid.Nil}
	}
	where := "f.status <> 'CLOTUREE'"
	limit := 500
	if !q.OpenOnly {
		where = "TRUE"
	}
	rows, err := tx.g.Raw(`SELECT `+adverseColumns+` FROM adverse_events f
		WHERE `+where+` AND ((f.usager_id IS NULL AND f.establishment_id IN ?) OR (f.usager_id IS NOT NULL AND f.establishment_id IN ?))
		ORDER BY (f.status = 'CLOTUREE'), f.occurred_at DESC, f.id LIMIT ?`, without, with, limit).Rows()
	if err != nil {
		return nil, mapErr("list adverse events", err)
	}
	defer rows.Close()
	var out []domain.AdverseEvent
	var ids []uuid.UUID
	for rows.Next() {
		f, err := scanAdverse(rows)
		if err != nil {
			return nil, fmt.Errorf("scan adverse event: %w", err)
		}
		out = append(out, f)
		if f.UsagerID != uuid.Nil {
			ids = append(ids, f.UsagerID)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("list adverse events", err)
	}
	people, err := tx.usagersByID(ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].UsagerID != uuid.Nil {
			out[i].UsagerName = people[out[i].UsagerID].DisplayName()
		}
	}
	return out, nil
}

// RecordEvent reads one event of a record (a FEI drafted from the timeline).
func (tx *Tx) RecordEvent(id uuid.UUID) (domain.Event, error) {
	var e domain.Event
	var section, typ, status string
	var end sql.NullTime
	err := tx.g.Raw(`SELECT id, usager_id, section, type, title, start_at, end_at, place, status FROM events WHERE id = ?`, id).Row().
		Scan(&e.ID, &e.UsagerID, &section, &typ, &e.Title, &e.Start, &end, &e.Place, &status)
	if err == sql.ErrNoRows {
		return e, fmt.Errorf("event: %w", domain.ErrNotFound)
	}
	if err != nil {
		return e, mapErr("read event", err)
	}
	e.Section, e.Type, e.Status, e.End = domain.Section(section), domain.EventType(typ), domain.EventStatus(status), end.Time
	return e, nil
}
