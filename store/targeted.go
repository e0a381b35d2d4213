package store

import (
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// targetedTables hold rows of a usager (moved on a merge).
var targetedTables = []string{"targeted_notes"}

const targetedColumns = `n.id, n.usager_id, n.establishment_id, n.target, n.target_other, n.macro, n.data, n.actions, n.results,
	n.written_at, n.author_id, n.author_name, n.result_at, n.result_by, n.result_by_name, n.closed_at, n.closed_by, n.closed_by_name`

func scanTargeted(r scanner) (domain.TargetedNote, error) {
	var n domain.TargetedNote
	var target, macro string
	var resultAt, closedAt sql.NullTime
	var resultBy, closedBy uuid.NullUUID
	err := r.Scan(&n.ID, &n.UsagerID, &n.EstablishmentID, &target, &n.TargetOther, &macro, &n.Data, &n.Actions, &n.Results,
		&n.WrittenAt, &n.AuthorID, &n.AuthorName, &resultAt, &resultBy, &n.ResultByName, &closedAt, &closedBy, &n.ClosedByName)
	if err != nil {
		return n, err
	}
	n.Target, n.Macro = domain.Target(target), domain.Macrocible(macro)
	n.ResultAt, n.ResultByID, n.ClosedAt, n.ClosedByID = resultAt.Time, resultBy.UUID, closedAt.Time, closedBy.UUID
	return n, nil
}

// SaveTargetedNote inserts a new note, with its result and closure when
// given at writing time.
func (tx *Tx) SaveTargetedNote(n *domain.TargetedNote) error {
	if n.ID != uuid.Nil {
		return fmt.Errorf("save targeted note: a written note is not rewritten: %w", domain.ErrConflict)
	}
	n.ID = NewID()
	return mapErr("write targeted note", tx.g.Exec(`INSERT INTO targeted_notes (id, org_id, establishment_id, usager_id, target,
		target_other, macro, data, actions, results, written_at, author_id, author_name, result_at, result_by, result_by_name,
		closed_at, closed_by, closed_by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.ID, tx.Org, n.EstablishmentID, n.UsagerID, string(n.Target), n.TargetOther, string(n.Macro), n.Data, n.Actions, n.Results,
		n.WrittenAt.UTC(), n.AuthorID, n.AuthorName, nullTime(n.ResultAt), nullID(n.ResultByID), n.ResultByName,
		nullTime(n.ClosedAt), nullID(n.ClosedByID), n.ClosedByName).Error)
}

// SaveTargetedFollowUp stores the result and the closure of n. The row must
// still be open and either without a result or with this very result: two
// shifts adding a result at once do not overwrite each other (the second
// gets ErrConflict).
func (tx *Tx) SaveTargetedFollowUp(n *domain.TargetedNote) error {
	r := tx.g.Exec(`UPDATE targeted_notes SET results = ?, result_at = ?, result_by = ?, result_by_name = ?,
		closed_at = ?, closed_by = ?, closed_by_name = ?
		WHERE id = ? AND closed_at IS NULL AND (result_at IS NULL OR result_at = ?)`,
		n.Results, nullTime(n.ResultAt), nullID(n.ResultByID), n.ResultByName, nullTime(n.ClosedAt), nullID(n.ClosedByID), n.ClosedByName,
		n.ID, nullTime(n.ResultAt))
	if r.Error != nil {
		return mapErr("targeted note follow-up", r.Error)
	}
	if r.RowsAffected == 0 {
		if _, err := tx.TargetedNote(n.ID); err != nil {
			return err
		}
		return fmt.Errorf("targeted note follow-up: closed or result written meanwhile: %w", domain.ErrConflict)
	}
	return nil
}

// TargetedNote reads one note.
func (tx *Tx) TargetedNote(id uuid.UUID) (domain.TargetedNote, error) {
	n, err := scanTargeted(tx.g.Raw(`SELECT `+targetedColumns+` FROM targeted_notes n WHERE n.id = ?`, id).Row())
	if err == sql.ErrNoRows {
		return n, fmt.Errorf("targeted note: %w", domain.ErrNotFound)
	}
	return n, mapErr("read targeted note", err)
}

func (tx *Tx) targetedRows(what, query string, args ...any) ([]domain.TargetedNote, error) {
	rows, err := tx.g.Raw(query, args...).Rows()
	if err != nil {
		return nil, mapErr(what, err)
	}
	defer rows.Close()
	var out []domain.TargetedNote
	for rows.Next() {
		n, err := scanTargeted(rows)
		if err != nil {
			return nil, fmt.Errorf("scan targeted note: %w", err)
		}
		out = append(out, n)
	}
	return out, mapErr(what, rows.Err())
}

// TargetedNotes lists a usager's notes: all open targets (oldest first: the
// longest open is the first to look at), then the closed ones, newest
// first, up to limit in all.
func (tx *Tx) TargetedNotes(usager uuid.UUID, limit int) ([]domain.TargetedNote, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	open, err := tx.targetedRows("list open targets", `SELECT `+targetedColumns+` FROM targeted_notes n
		WHERE n.usager_id = ? AND n.closed_at IS NULL ORDER BY n.written_at, n.id LIMIT ?`, usager, limit)
	if err != nil {
		return nil, err
	}
	if len(open) >= limit {
		return open, nil
	}
	closed, err := tx.targetedRows("list targeted notes", `SELECT `+targetedColumns+` FROM targeted_notes n
		WHERE n.usager_id = ? AND n.closed_at IS NOT NULL ORDER BY n.written_at DESC, n.id DESC LIMIT ?`, usager, limit-len(open))
	return append(open, closed...), err
}

// ShiftNotes lists the notes written in estab within [from, to), by person
// (name order), then in writing order.
func (tx *Tx) ShiftNotes(estab uuid.UUID, from, to time.Time) ([]domain.TargetedNote, error) {
	out, err := tx.targetedRows("list a shift's targeted notes", `SELECT `+targetedColumns+` FROM targeted_notes n
		WHERE n.establishment_id = ? AND n.written_at >= ? AND n.written_at < ? ORDER BY n.written_at, n.id LIMIT 2000`,
		estab, from.UTC(), to.UTC())
	if err != nil {
		return nil, err
	}
	return out, tx.byUsagerName(out)
}

// OpenTargets lists the open targets of estab, by person, oldest first.
func (tx *Tx) OpenTargets(estab uuid.UUID) ([]domain.TargetedNote, error) {
	out, err := tx.targetedRows("list open targets", `SELECT `+targetedColumns+` FROM targeted_notes n
		WHERE n.establishment_id = ? AND n.closed_at IS NULL ORDER BY n.written_at, n.id LIMIT 2000`, estab)
	if err != nil {
		return nil, err
	}
	return out, tx.byUsagerName(out)
}

// byUsagerName fills the usagers' names (one query) and groups the notes by
// person, keeping the time order within each.
func (tx *Tx) byUsagerName(notes []domain.TargetedNote) error {
	ids := make([]uuid.UUID, 0, len(notes))
	seen := map[uuid.UUID]bool{}
	for _, n := range notes {
		if !seen[n.UsagerID] {
			seen[n.UsagerID] = true
			ids = append(ids, n.UsagerID)
		}
	}
	people, err := tx.usagersByID(ids)
	if err != nil {
		return err
	}
	for i := range notes {
		notes[i].UsagerName = people[notes[i].UsagerID].DisplayName()
	}
	sort.SliceStable(notes, func(i, j int) bool {
		if notes[i].UsagerName != notes[j].UsagerName {
			return notes[i].UsagerName < notes[j].UsagerName
		}
		return notes[i].UsagerID.String() < notes[j].UsagerID.String()
	})
	return nil
}
