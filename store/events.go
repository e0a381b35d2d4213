package store

import (
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// coordinationTables hold rows of a usager (moved on a merge): the usagers
// a synthesis meeting discusses.
var coordinationTables = []string{"meeting_usagers"}

// SaveEvent inserts an event of the record.
func (tx *Tx) SaveEvent(e *domain.Event) error {
	if e.ID == uuid.Nil {
		e.ID = NewID()
	}
	return mapErr("create event", tx.g.Exec(`INSERT INTO events (id, org_id, usager_id, section, type, serafin_code, title, start_at,
		end_at, place, status, reason, participants, author_id, author_name, professional_id, recurrence, recur_until)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, tx.Org, e.UsagerID, string(e.Section), string(e.Type), e.SerafinCode, e.Title, e.Start.UTC(), nullTime(e.End),
		e.Place, string(e.Status), e.Reason, e.Participants, e.AuthorID, e.AuthorName, nullID(e.ProfessionalID),
		string(e.Recurrence), dateArg(e.RecurUntil)).Error)
}

// Timeline pages everything dated in a usager's record, newest first: events,
// section notes, stays and identity changes, restricted to the sections the
// reader may read. Each source is read through its own (usager, time, id)
// index from the keyset position and cut at the page size before the merge,
// so a page costs the same however long the record is.
func (tx *Tx) Timeline(q domain.TimelineQuery) ([]domain.TimelineItem, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	sections := make([]string, len(q.Sections))
	admin, care := false, false
	for i, s := range q.Sections {
		sections[i] = string(s)
		admin = admin || s == domain.SectionAdmin
		care = care || s == domain.SectionCare
	}
	if len(sections) == 0 {
		return nil, nil
	}
	before, beforeID := q.Before, q.BeforeID
	if before.IsZero() {
		before, beforeID = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), uuid.Max
	}
	var branches []string
	var args []any
	add := func(kind, sql string, a ...any) {
		if q.Kind != "" && q.Kind != kind {
			return
		}
		branches = append(branches, "("+sql+")")
		args = append(args, a...)
	}
	add("event", `SELECT start_at AS at, id, 'event' AS kind, section, title, type || '|' || status AS detail, author_name AS author
		FROM events WHERE usager_id = ? AND section IN ? AND (start_at, id) < (?, ?) ORDER BY start_at DESC, id DESC LIMIT ?`,
		q.UsagerID, sections, before, beforeID, q.Limit)
	add("note", `SELECT written_at AS at, id, 'note' AS kind, section, left(body, 300) AS title, '' AS detail, author_name AS author
		FROM record_notes WHERE usager_id = ? AND section IN ? AND (written_at, id) < (?, ?) ORDER BY written_at DESC, id DESC LIMIT ?`,
		q.UsagerID, sections, before, beforeID, q.Limit)
	if care {
		add("targeted", `SELECT written_at AS at, id, 'targeted' AS kind, 'care' AS section, left(data, 300) AS title,
			target || '|' || target_other || '|' || macro AS detail, author_name AS author
			FROM targeted_notes WHERE usager_id = ? AND (written_at, id) < (?, ?) ORDER BY written_at DESC, id DESC LIMIT ?`,
			q.UsagerID, before, beforeID, q.Limit)
	}
	if admin {
		add("stay", `SELECT at, id, 'stay' AS kind, 'admin' AS section, title, status AS detail, '' AS author FROM (
			SELECT COALESCE(s.discharge_date, s.admission_date, s.planned_entry, s.created_at::date)::timestamptz AS at, s.id,
			       e.name AS title, s.status
			FROM stays s JOIN establishments e ON e.id = s.establishment_id WHERE s.usager_id = ?) x
			WHERE (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT ?`,
			q.UsagerID, before, beforeID, q.Limit)
		add("identity", `SELECT at, id, 'identity' AS kind, 'admin' AS section, description AS title, to_status AS detail, by_name AS author
			FROM identity_events WHERE usager_id = ? AND (at, id) < (?, ?) ORDER BY at DESC, id DESC LIMIT ?`,
			q.UsagerID, before, beforeID, q.Limit)
	}
	if len(branches) == 0 {
		return nil, nil
	}
	query := ""
	for i, b := range branches {
		if i > 0 {
			query += " UNION ALL "
		}
		query += b
	}
	args = append(args, q.Limit)
	rows, err := tx.g.Raw(`SELECT at, id, kind, section, title, detail, author FROM (`+query+`) t ORDER BY at DESC, id DESC LIMIT ?`, args...).Rows()
	if err != nil {
		return nil, mapErr("read timeline", err)
	}
	defer rows.Close()
	var out []domain.TimelineItem
	for rows.Next() {
		var it domain.TimelineItem
		var section string
		var author sql.NullString
		if err := rows.Scan(&it.At, &it.ID, &it.Kind, &section, &it.Title, &it.Detail, &author); err != nil {
			return nil, fmt.Errorf("scan timeline: %w", err)
		}
		it.Section, it.Author = domain.Section(section), author.String
		it.Detail = timelineDetail(it.Kind, it.Detail)
		out = append(out, it)
	}
	return out, mapErr("read timeline", rows.Err())
}

// timelineDetail turns the codes a source returns into French.
func timelineDetail(kind, code string) string {
	switch kind {
	case "event":
		typ, status, _ := strings.Cut(code, "|")
		d := domain.EventType(typ).Label()
		if st := domain.EventStatus(status); st != domain.EventDone {
			d += " · " + st.Label()
		}
		return d
	case "stay":
		return domain.StayStatus(code).Label()
	case "identity":
		return domain.IdentityStatus(code).Label()
	case "targeted":
		target, rest, _ := strings.Cut(code, "|")
		other, macro, _ := strings.Cut(rest, "|")
		d := "Cible : " + domain.TargetedNote{Target: domain.Target(target), TargetOther: other}.TargetLabel()
		if m := domain.Macrocible(macro).Label(); m != "" {
			d += " · " + m
		}
		return d
	}
	return code
}

// UpcomingEvents lists the occurrences of planned or validated events of
// people with an open stay in estabs, within [from, to), soonest first: the
// agenda. Recurring events are expanded; sections limits what the reader may
// see; professional, when set, keeps that professional's appointments only.
func (tx *Tx) UpcomingEvents(estabs []uuid.UUID, sections []domain.Section, from, to time.Time, professional uuid.UUID) ([]domain.AgendaItem, error) {
	if len(estabs) == 0 || len(sections) == 0 {
		return nil, nil
	}
	secs := make([]string, len(sections))
	for i, s := range sections {
		secs[i] = string(s)
	}
	cond, args := "", []any{from.UTC(), to.UTC(), to.UTC(), from.UTC(), secs, estabs}
	if professional != uuid.Nil {
		cond = " AND e.professional_id = ?"
		args = append(args, professional)
	}
	rows, err := tx.g.Raw(`SELECT e.id, e.usager_id, e.section, e.type, e.title, e.start_at, e.place, e.status, e.professional_id,
		e.recurrence, e.recur_until
		FROM events e
		WHERE e.status IN ('PLANIFIE','VALIDE')
		  AND ((e.recurrence = '' AND e.start_at >= ? AND e.start_at < ?) OR (e.recurrence <> '' AND e.start_at < ? AND e.recur_until >= ?::date))
		  AND e.section IN ?
		  AND EXISTS (SELECT 1 FROM stays s WHERE s.usager_id = e.usager_id AND s.establishment_id IN ? AND s.status IN ('preadmission','admitted'))`+cond+`
		ORDER BY e.start_at, e.id LIMIT 1000`, args...).Rows()
	if err != nil {
		return nil, mapErr("read agenda", err)
	}
	defer rows.Close()
	var out []domain.AgendaItem
	ids := []uuid.UUID{}
	for rows.Next() {
		var it domain.AgendaItem
		var e domain.Event
		var section, typ, status, recurrence string
		var pro uuid.NullUUID
		var until sql.NullTime
		if err := rows.Scan(&it.EventID, &it.UsagerID, &section, &typ, &it.Title, &e.Start, &it.Place, &status, &pro, &recurrence, &until); err != nil {
			return nil, fmt.Errorf("scan agenda: %w", err)
		}
		it.Section, it.Type, it.Status, it.ProfessionalID = domain.Section(section), domain.EventType(typ), domain.EventStatus(status), pro.UUID
		e.Recurrence, e.RecurUntil = domain.Recurrence(recurrence), nullDate(until)
		it.Recurring = e.Recurrence != domain.RecurNone
		for _, at := range e.Occurrences(from, to) {
			occ := it
			occ.At = at
			out = append(out, occ)
		}
		ids = append(ids, it.UsagerID)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("read agenda", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	if len(ids) == 0 {
		return out, nil
	}
	people, err := tx.usagersByID(ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Usager = people[out[i].UsagerID]
	}
	return out, nil
}
