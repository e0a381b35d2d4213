package store

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// Professionals, events and trail rows as the FHIR API reads them
// (domain.PractitionerTx).

// Practitioners lists the accounts holding a role in q.EstablishmentID, by
// display name, with all their memberships. The name filter runs in Go on
// the folded display name: an establishment has tens of accounts, not
// thousands.
func (tx *Tx) Practitioners(q domain.PractitionerQuery) ([]domain.Practitioner, error) {
	where, args := `EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.establishment_id = ?)`, []any{q.EstablishmentID}
	if q.RPPS != "" {
		where += ` AND u.rpps = ?`
		args = append(args, q.RPPS)
	}
	if q.ID != uuid.Nil {
		where += ` AND u.id = ?`
		args = append(args, q.ID)
	}
	rows, err := tx.g.Raw(`SELECT u.id, u.org_id, u.username, u.display_name, u.active, u.created_at, u.rpps, u.profession
		FROM users u WHERE `+where+` ORDER BY u.display_name, u.id LIMIT 1000`, args...).Rows()
	if err != nil {
		return nil, mapErr("list practitioners", err)
	}
	var out []domain.Practitioner
	name := domain.SearchKey(q.Name)
	for rows.Next() {
		p, err := scanPractitioner(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan practitioner: %w", err)
		}
		if name != "" && !wordPrefix(domain.SearchKey(p.DisplayName), name) {
			continue
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr("list practitioners", err)
	}
	for i := range out {
		if out[i].Memberships, err = tx.Memberships(out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// wordPrefix reports whether s has prefix at the start of one of its words
// ("anne le" matches "DR ANNE LE MOINE"); hyphens and apostrophes separate
// words.
func wordPrefix(s, prefix string) bool {
	words := " " + strings.NewReplacer("-", " ", "'", " ").Replace(s)
	return strings.Contains(words, " "+prefix)
}

func scanPractitioner(s scanner) (domain.Practitioner, error) {
	var p domain.Practitioner
	var profession string
	err := s.Scan(&p.ID, &p.OrgID, &p.Username, &p.DisplayName, &p.Active, &p.CreatedAt, &p.RPPS, &profession)
	p.CreatedAt, p.Profession = p.CreatedAt.UTC(), domain.Profession(profession)
	return p, err
}

// Prescribers lists the prescribers of the establishment's prescriptions
// who are not among its accounts (by RPPS), the latest name given for each
// number.
func (tx *Tx) Prescribers(q domain.PractitionerQuery) ([]domain.Practitioner, error) {
	where, args := `p.establishment_id = ? AND NOT EXISTS (SELECT 1 FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE m.establishment_id = p.establishment_id AND u.rpps = p.rpps)`, []any{q.EstablishmentID}
	if q.RPPS != "" {
		where += ` AND p.rpps = ?`
		args = append(args, q.RPPS)
	}
	rows, err := tx.g.Raw(`SELECT DISTINCT ON (p.rpps) p.rpps, p.prescriber FROM prescriptions p WHERE `+where+`
		ORDER BY p.rpps, p.order_date DESC, p.created_at DESC LIMIT 1000`, args...).Rows()
	if err != nil {
		return nil, mapErr("list prescribers", err)
	}
	defer rows.Close()
	var out []domain.Practitioner
	name := domain.SearchKey(q.Name)
	for rows.Next() {
		var p domain.Practitioner
		if err := rows.Scan(&p.RPPS, &p.DisplayName); err != nil {
			return nil, fmt.Errorf("scan prescriber: %w", err)
		}
		p.ID, p.Active = domain.PrescriberID(p.RPPS), true
		if (name != "" && !wordPrefix(domain.SearchKey(p.DisplayName), name)) || (q.ID != uuid.Nil && q.ID != p.ID) {
			continue
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("list prescribers", err)
	}
	slices.SortFunc(out, func(a, b domain.Practitioner) int { return strings.Compare(a.DisplayName, b.DisplayName) })
	return out, nil
}

// Practitioner reads one account with its memberships.
func (tx *Tx) Practitioner(id uuid.UUID) (domain.Practitioner, error) {
	p, err := scanPractitioner(tx.g.Raw(`SELECT id, org_id, username, display_name, active, created_at, rpps, profession FROM users WHERE id = ?`, id).Row())
	if err != nil {
		return p, mapSQL("read practitioner", err)
	}
	p.Memberships, err = tx.Memberships(id)
	return p, err
}

// SetProfessional records an account's RPPS number and profession; an RPPS
// already given to another account of the organisation is a conflict.
func (tx *Tx) SetProfessional(user uuid.UUID, rpps string, profession domain.Profession) error {
	res := tx.g.Exec(`UPDATE users SET rpps = ?, profession = ? WHERE id = ?`, rpps, string(profession), user)
	if res.Error != nil {
		return mapErr("set professional identifiers", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("set professional identifiers of %s: %w", user, domain.ErrNotFound)
	}
	return nil
}

const eventColumns = `id, usager_id, section, type, serafin_code, title, start_at, end_at, place, status, reason, participants,
	author_id, author_name, professional_id, recurrence, recur_until`

func scanEvent(s scanner) (domain.Event, error) {
	var e domain.Event
	var section, typ, status, recurrence string
	var end, until sql.NullTime
	var pro uuid.NullUUID
	err := s.Scan(&e.ID, &e.UsagerID, &section, &typ, &e.SerafinCode, &e.Title, &e.Start, &end, &e.Place, &status, &e.Reason,
		&e.Participants, &e.AuthorID, &e.AuthorName, &pro, &recurrence, &until)
	e.Section, e.Type, e.Status, e.Recurrence = domain.Section(section), domain.EventType(typ), domain.EventStatus(status), domain.Recurrence(recurrence)
	e.Start, e.ProfessionalID, e.RecurUntil = e.Start.UTC(), pro.UUID, nullDate(until)
	if end.Valid {
		e.End = end.Time.UTC()
	}
	return e, err
}

// UsagerEvents lists a record's events starting within [from, to), soonest
// first (at most 1,000).
func (tx *Tx) UsagerEvents(usager uuid.UUID, from, to time.Time) ([]domain.Event, error) {
	where, args := `usager_id = ?`, []any{usager}
	if !from.IsZero() {
		where += ` AND start_at >= ?`
		args = append(args, from.UTC())
	}
	if !to.IsZero() {
		where += ` AND start_at < ?`
		args = append(args, to.UTC())
	}
	rows, err := tx.g.Raw(`SELECT `+eventColumns+` FROM events WHERE `+where+` ORDER BY start_at, id LIMIT 1000`, args...).Rows()
	if err != nil {
		return nil, mapErr("list events", err)
	}
	defer rows.Close()
	var out []domain.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		out = append(out, e)
	}
	return out, mapErr("list events", rows.Err())
}

// Event reads one event of a record.
func (tx *Tx) Event(id uuid.UUID) (domain.Event, error) {
	e, err := scanEvent(tx.g.Raw(`SELECT `+eventColumns+` FROM events WHERE id = ?`, id).Row())
	return e, mapSQL("read event", err)
}

// EstablishmentTrail lists the rows of one establishment about a usager
// (and the records merged into it), newest first.
func (tx *Tx) EstablishmentTrail(q domain.EstablishmentTrailQuery) ([]domain.TrailEntry, error) {
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	where := `org_id = ? AND establishment_id = ? AND usager_id IN (SELECT ?::uuid UNION ALL SELECT id FROM usagers WHERE merged_into = ?)`
	args := []any{tx.Org, q.EstablishmentID, q.UsagerID, q.UsagerID}
	if !q.From.IsZero() {
		where += ` AND at >= ?`
		args = append(args, q.From.UTC())
	}
	if !q.To.IsZero() {
		where += ` AND at < ?`
		args = append(args, q.To.UTC())
	}
	rows, err := tx.g.Raw(`SELECT `+trailColumns+` FROM access_trail WHERE `+where+` ORDER BY seq DESC LIMIT ?`, append(args, q.Limit)...).Rows()
	if err != nil {
		return nil, mapErr("read establishment trail", err)
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
	return out, mapErr("read establishment trail", rows.Err())
}

// TrailRow reads one trail row.
func (tx *Tx) TrailRow(seq int64) (domain.TrailEntry, error) {
	e, err := scanTrail(tx.g.Raw(`SELECT `+trailColumns+` FROM access_trail WHERE seq = ?`, seq).Row())
	return e, mapSQL("read trail row", err)
}

// LiaisonThreads reads a usager's notes, their recipients and their replies
// in three queries, whatever the number of notes.
func (tx *Tx) LiaisonThreads(usager uuid.UUID, readable []domain.EstabSection) ([]domain.LiaisonNote, error) {
	cond, args := readableCond(domain.LiaisonScope{Readable: readable})
	rows, err := tx.g.Raw(`SELECT `+liaisonColumns+` FROM liaison_notes n
		WHERE n.usager_id = ? AND n.parent_id IS NULL AND `+cond+` ORDER BY n.created_at DESC, n.id DESC LIMIT 100`,
		append([]any{usager}, args...)...).Rows()
	if err != nil {
		return nil, mapErr("read liaison threads", err)
	}
	var notes []domain.LiaisonNote
	for rows.Next() {
		n, err := scanLiaison(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan liaison note: %w", err)
		}
		notes = append(notes, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(notes) == 0 {
		return nil, mapErr("read liaison threads", err)
	}
	ids := make([]uuid.UUID, len(notes))
	at := map[uuid.UUID]int{}
	for i, n := range notes {
		ids[i], at[n.ID] = n.ID, i
	}
	rrows, err := tx.g.Raw(`SELECT note_id, user_id, role FROM liaison_recipients WHERE note_id IN ? ORDER BY note_id, role NULLS FIRST, user_id`, ids).Rows()
	if err != nil {
		return nil, mapErr("read liaison recipients", err)
	}
	for rrows.Next() {
		var note uuid.UUID
		var u uuid.NullUUID
		var r *string
		if err := rrows.Scan(&note, &u, &r); err != nil {
			rrows.Close()
			return nil, fmt.Errorf("scan liaison recipient: %w", err)
		}
		n := &notes[at[note]]
		if u.Valid {
			n.Users = append(n.Users, u.UUID)
		}
		if r != nil {
			n.Roles = append(n.Roles, domain.Role(*r))
		}
	}
	rrows.Close()
	if err := rrows.Err(); err != nil {
		return nil, mapErr("read liaison recipients", err)
	}
	prows, err := tx.g.Raw(`SELECT `+liaisonColumns+` FROM liaison_notes n WHERE n.parent_id IN ? ORDER BY n.created_at, n.id`, ids).Rows()
	if err != nil {
		return nil, mapErr("read liaison replies", err)
	}
	replies := map[uuid.UUID][]domain.LiaisonNote{}
	for prows.Next() {
		n, err := scanLiaison(prows)
		if err != nil {
			prows.Close()
			return nil, fmt.Errorf("scan liaison reply: %w", err)
		}
		replies[n.ParentID] = append(replies[n.ParentID], n)
	}
	prows.Close()
	if err := prows.Err(); err != nil {
		return nil, mapErr("read liaison replies", err)
	}
	out := make([]domain.LiaisonNote, 0, len(notes))
	for _, n := range notes {
		out = append(out, n)
		out = append(out, replies[n.ID]...)
	}
	return out, nil
}
