package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// LiaisonWindow bounds the inbox and its unread count to recent notes, so
// both cost the same after ten years of notes; older notes stay on the
// usager's dossier.
const LiaisonWindow = 90 * 24 * time.Hour

const liaisonColumns = `n.id, n.establishment_id, n.usager_id, n.section, n.priority, n.body, n.author_id, n.author_name, n.parent_id, n.created_at`

func scanLiaison(s scanner, extra ...any) (domain.LiaisonNote, error) {
	var n domain.LiaisonNote
	var usager, parent uuid.NullUUID
	var section, priority string
	dest := append([]any{&n.ID, &n.EstablishmentID, &usager, &section, &priority, &n.Body, &n.AuthorID, &n.AuthorName, &parent, &n.CreatedAt}, extra...)
	if err := s.Scan(dest...); err != nil {
		return n, err
	}
	n.UsagerID, n.ParentID = usager.UUID, parent.UUID
	n.Section, n.Priority = domain.Section(section), domain.Priority(priority)
	return n, nil
}

// SaveLiaisonNote inserts a note with its recipients, or a reply (ParentID
// set: it takes the establishment, usager and section of its note).
func (tx *Tx) SaveLiaisonNote(n *domain.LiaisonNote) error {
	if n.ID != uuid.Nil {
		return fmt.Errorf("save liaison note: a note is never rewritten: %w", domain.ErrConflict)
	}
	n.ID = NewID()
	if n.CreatedAt.IsZero() {
		n.CreatedAt = time.Now().UTC()
	}
	if n.ParentID != uuid.Nil {
		parent, err := tx.LiaisonNote(n.ParentID)
		if err != nil {
			return err
		}
		if parent.ParentID != uuid.Nil {
			return fmt.Errorf("reply to a reply: %w", domain.ErrConflict)
		}
		n.EstablishmentID, n.UsagerID, n.Section = parent.EstablishmentID, parent.UsagerID, parent.Section
		n.Users, n.Roles = nil, nil
	}
	err := tx.g.Exec(`INSERT INTO liaison_notes (id, org_id, establishment_id, usager_id, section, priority, body, author_id, author_name, parent_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, tx.Org, n.EstablishmentID, nullID(n.UsagerID), string(n.Section),
		string(n.Priority), n.Body, n.AuthorID, n.AuthorName, nullID(n.ParentID), n.CreatedAt).Error
	if err != nil {
		return mapErr("create liaison note", err)
	}
	for _, u := range n.Users {
		if err := tx.g.Exec(`INSERT INTO liaison_recipients (org_id, note_id, establishment_id, user_id, created_at) VALUES (?, ?, ?, ?, ?)`,
			tx.Org, n.ID, n.EstablishmentID, u, n.CreatedAt).Error; err != nil {
			return mapErr("add liaison recipient", err)
		}
	}
	roles := make([]string, 0, len(n.Roles))
	for _, r := range n.Roles {
		if err := tx.g.Exec(`INSERT INTO liaison_recipients (org_id, note_id, establishment_id, role, created_at) VALUES (?, ?, ?, ?, ?)`,
			tx.Org, n.ID, n.EstablishmentID, string(r), n.CreatedAt).Error; err != nil {
			return mapErr("add liaison recipient", err)
		}
		roles = append(roles, string(r))
	}
	if len(n.Users)+len(roles) == 0 {
		return nil
	}
	// The badge: every active member of the establishment addressed by name
	// or by role, except the author.
	users := append([]uuid.UUID{uuid.Nil}, n.Users...)
	roles = append(roles, "")
	return mapErr("mark liaison note unread", tx.g.Exec(`INSERT INTO liaison_unread (org_id, user_id, note_id, created_at)
		SELECT DISTINCT ?::uuid, m.user_id, ?::uuid, ?::timestamptz FROM memberships m JOIN users u ON u.id = m.user_id AND u.active
		WHERE m.establishment_id = ? AND (m.user_id IN ? OR m.role IN ?) AND m.user_id <> ?
		ON CONFLICT DO NOTHING`, tx.Org, n.ID, n.CreatedAt, n.EstablishmentID, users, roles, n.AuthorID).Error)
}

// LiaisonNote by id, with its recipients.
func (tx *Tx) LiaisonNote(id uuid.UUID) (domain.LiaisonNote, error) {
	n, err := scanLiaison(tx.g.Raw(`SELECT `+liaisonColumns+` FROM liaison_notes n WHERE n.id = ?`, id).Row())
	if err != nil {
		return n, mapSQL("read liaison note", err)
	}
	rows, err := tx.g.Raw(`SELECT user_id, role FROM liaison_recipients WHERE note_id = ? ORDER BY role NULLS FIRST, user_id`, id).Rows()
	if err != nil {
		return n, mapErr("read liaison recipients", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u uuid.NullUUID
		var r *string
		if err := rows.Scan(&u, &r); err != nil {
			return n, fmt.Errorf("scan liaison recipient: %w", err)
		}
		if u.Valid {
			n.Users = append(n.Users, u.UUID)
		}
		if r != nil {
			n.Roles = append(n.Roles, domain.Role(*r))
		}
	}
	return n, mapErr("read liaison recipients", rows.Err())
}

// LiaisonReplies of a note, oldest first.
func (tx *Tx) LiaisonReplies(note uuid.UUID) ([]domain.LiaisonNote, error) {
	rows, err := tx.g.Raw(`SELECT `+liaisonColumns+` FROM liaison_notes n WHERE n.parent_id = ? ORDER BY n.created_at, n.id LIMIT 500`, note).Rows()
	if err != nil {
		return nil, mapErr("list liaison replies", err)
	}
	defer rows.Close()
	var out []domain.LiaisonNote
	for rows.Next() {
		n, err := scanLiaison(rows)
		if err != nil {
			return nil, fmt.Errorf("scan liaison reply: %w", err)
		}
		out = append(out, n)
	}
	return out, mapErr("list liaison replies", rows.Err())
}

// MarkLiaisonRead records the first time user opened note; later openings
// keep the first receipt.
func (tx *Tx) MarkLiaisonRead(note, user uuid.UUID, at time.Time) error {
	if err := tx.g.Exec(`DELETE FROM liaison_unread WHERE user_id = ? AND note_id = ?`, user, note).Error; err != nil {
		return mapErr("mark liaison note read", err)
	}
	return mapErr("mark liaison note read", tx.g.Exec(`INSERT INTO liaison_reads (org_id, note_id, user_id, read_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (note_id, user_id) DO NOTHING`, tx.Org, note, user, at.UTC()).Error)
}

// LiaisonReads of a note, in reading order, with the readers' names.
func (tx *Tx) LiaisonReads(note uuid.UUID) ([]domain.LiaisonRead, error) {
	rows, err := tx.g.Raw(`SELECT r.user_id, u.display_name, r.read_at FROM liaison_reads r JOIN users u ON u.id = r.user_id
		WHERE r.note_id = ? ORDER BY r.read_at, u.display_name`, note).Rows()
	if err != nil {
		return nil, mapErr("list liaison reads", err)
	}
	defer rows.Close()
	var out []domain.LiaisonRead
	for rows.Next() {
		var r domain.LiaisonRead
		if err := rows.Scan(&r.UserID, &r.UserName, &r.ReadAt); err != nil {
			return nil, fmt.Errorf("scan liaison read: %w", err)
		}
		out = append(out, r)
	}
	return out, mapErr("list liaison reads", rows.Err())
}

// readableCond restricts n to the (establishment, section) pairs of s.
func readableCond(s domain.LiaisonScope) (string, []any) {
	if len(s.Readable) == 0 {
		return "false", nil
	}
	parts := make([]string, len(s.Readable))
	args := make([]any, 0, 2*len(s.Readable))
	for i, r := range s.Readable {
		parts[i] = "(?::uuid, ?)"
		args = append(args, r.EstablishmentID, string(r.Section))
	}
	return "(n.establishment_id, n.section) IN (" + strings.Join(parts, ", ") + ")", args
}

// addressedTo is the set of note ids addressed to the scope's user, by name
// or by one of their roles in the note's establishment, since since. Each
// branch walks one partial index.
func addressedTo(s domain.LiaisonScope, since time.Time) (string, []any) {
	q := `SELECT note_id FROM liaison_recipients WHERE user_id = ? AND created_at > ?`
	args := []any{s.UserID, since}
	if len(s.Roles) > 0 {
		parts := make([]string, len(s.Roles))
		for i, m := range s.Roles {
			parts[i] = "(?::uuid, ?)"
			args = append(args, m.EstablishmentID, string(m.Role))
		}
		q += ` UNION SELECT note_id FROM liaison_recipients WHERE role IS NOT NULL AND (establishment_id, role) IN (` +
			strings.Join(parts, ", ") + `) AND created_at > ?`
		args = append(args, since)
	}
	return q, args
}

const liaisonRowColumns = liaisonColumns + `,
	COALESCE(upper(COALESCE(NULLIF(us.used_name, ''), us.birth_name)) || ' ' || COALESCE(NULLIF(us.used_first_name, ''), us.first_names[1]), ''),
	(SELECT count(*) FROM liaison_notes c WHERE c.parent_id = n.id), rd.read_at`

func scanLiaisonRows(what string, rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]domain.LiaisonRow, error) {
	defer rows.Close()
	var out []domain.LiaisonRow
	for rows.Next() {
		var row domain.LiaisonRow
		var readAt *time.Time
		n, err := scanLiaison(rows, &row.UsagerName, &row.Replies, &readAt)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", what, err)
		}
		row.LiaisonNote = n
		if readAt != nil {
			row.ReadAt = *readAt
		}
		out = append(out, row)
	}
	return out, mapErr(what, rows.Err())
}

// LiaisonInbox lists the notes of the last LiaisonWindow addressed to the
// scope's user that they may read: unread first, then by priority and date.
func (tx *Tx) LiaisonInbox(q domain.LiaisonQuery) ([]domain.LiaisonRow, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 100
	}
	mine, args := addressedTo(q.Scope, time.Now().Add(-LiaisonWindow))
	readable, rargs := readableCond(q.Scope)
	args = append(args, q.Scope.UserID)
	args = append(args, rargs...)
	filter := ""
	switch {
	case q.Unread:
		filter = " AND rd.read_at IS NULL"
	case q.Read:
		filter = " AND rd.read_at IS NOT NULL"
	}
	rows, err := tx.g.Raw(`SELECT `+liaisonRowColumns+`
		FROM (`+mine+`) m JOIN liaison_notes n ON n.id = m.note_id
		LEFT JOIN liaison_reads rd ON rd.note_id = n.id AND rd.user_id = ?
		LEFT JOIN usagers us ON us.id = n.usager_id
		WHERE n.parent_id IS NULL AND `+readable+filter+`
		ORDER BY (rd.read_at IS NULL) DESC, CASE n.priority WHEN 'urgente' THEN 0 WHEN 'importante' THEN 1 ELSE 2 END,
			n.created_at DESC, n.id DESC
		LIMIT ?`, append(args, q.Limit)...).Rows()
	if err != nil {
		return nil, mapErr("liaison inbox", err)
	}
	return scanLiaisonRows("liaison inbox", rows)
}

// LiaisonUnread counts the unread notes of the badge (at most 100: it shows
// "99+" beyond): the user's rows of liaison_unread, which an opening
// deletes, within the inbox window and the sections they may read now. The
// cost follows the number of unread notes, not the history.
func (tx *Tx) LiaisonUnread(s domain.LiaisonScope) (int, error) {
	if len(s.Readable) == 0 {
		return 0, nil
	}
	readable, rargs := readableCond(s)
	args := append([]any{s.UserID, time.Now().Add(-LiaisonWindow)}, rargs...)
	var n int
	err := tx.g.Raw(`SELECT count(*) FROM (SELECT 1 FROM liaison_unread u JOIN liaison_notes n ON n.id = u.note_id
		WHERE u.user_id = ? AND u.created_at > ? AND `+readable+` LIMIT 100) x`, args...).Row().Scan(&n)
	return n, mapErr("count unread liaison notes", err)
}

// UsagerLiaison lists the usager's notes the scope may read, newest first
// (at most 100), with whether the scope's user read them.
func (tx *Tx) UsagerLiaison(usager uuid.UUID, s domain.LiaisonScope) ([]domain.LiaisonRow, error) {
	readable, rargs := readableCond(s)
	args := append([]any{s.UserID, usager}, rargs...)
	rows, err := tx.g.Raw(`SELECT `+liaisonRowColumns+`
		FROM liaison_notes n
		LEFT JOIN liaison_reads rd ON rd.note_id = n.id AND rd.user_id = ?
		LEFT JOIN usagers us ON us.id = n.usager_id
		WHERE n.usager_id = ? AND n.parent_id IS NULL AND `+readable+`
		ORDER BY n.created_at DESC, n.id DESC LIMIT 100`, args...).Rows()
	if err != nil {
		return nil, mapErr("usager liaison notes", err)
	}
	return scanLiaisonRows("usager liaison notes", rows)
}
