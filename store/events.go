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

// Staff meetings (domain.Meeting).

// SaveMeeting inserts or updates a meeting and replaces its participants
// and usagers, inside a savepoint: all or nothing.
func (tx *Tx) SaveMeeting(m *domain.Meeting) error {
	if m.Status == "" {
		m.Status = domain.MeetingPlanned
	}
	return tx.planSavepoint(func(in *Tx) error {
		if m.ID == uuid.Nil {
			m.ID = NewID()
			err := in.g.Raw(`INSERT INTO meetings (id, org_id, establishment_id, kind, title, start_at, end_at, place, recurrence, recur_until,
				status, cancel_reason, author_id, author_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING updated_at`,
				m.ID, tx.Org, m.EstablishmentID, string(m.Kind), m.Title, m.Start.UTC(), nullTime(m.End), m.Place, string(m.Recurrence),
				dateArg(m.RecurUntil), string(m.Status), m.CancelReason, m.AuthorID, m.AuthorName).Row().Scan(&m.UpdatedAt)
			if err != nil {
				m.ID = uuid.Nil
				return mapErr("create meeting", err)
			}
		} else {
			err := in.g.Raw(`UPDATE meetings SET kind = ?, title = ?, start_at = ?, end_at = ?, place = ?, recurrence = ?, recur_until = ?,
				status = ?, cancel_reason = ?, updated_at = now() WHERE id = ? AND establishment_id = ? RETURNING updated_at`,
				string(m.Kind), m.Title, m.Start.UTC(), nullTime(m.End), m.Place, string(m.Recurrence), dateArg(m.RecurUntil),
				string(m.Status), m.CancelReason, m.ID, m.EstablishmentID).Row().Scan(&m.UpdatedAt)
			if err != nil {
				return mapSQL("update meeting", err)
			}
			for _, t := range []string{"meeting_participants", "meeting_usagers"} {
				if err := in.g.Exec(`DELETE FROM `+t+` WHERE meeting_id = ?`, m.ID).Error; err != nil {
					return mapErr("clear "+t, err)
				}
			}
		}
		var rows [][]any
		for _, p := range m.Participants {
			rows = append(rows, []any{tx.Org, m.ID, p})
		}
		if err := in.insertPlanRows("store participants", `INSERT INTO meeting_participants (org_id, meeting_id, user_id)`, 3, rows); err != nil {
			return err
		}
		rows = nil
		for _, u := range m.Usagers {
			rows = append(rows, []any{tx.Org, m.ID, u})
		}
		return in.insertPlanRows("store meeting usagers", `INSERT INTO meeting_usagers (org_id, meeting_id, usager_id)`, 3, rows)
	})
}

const meetingColumns = `m.id, m.establishment_id, m.kind, m.title, m.start_at, m.end_at, m.place, m.recurrence, m.recur_until,
	m.status, m.cancel_reason, m.author_id, m.author_name, m.updated_at`

func scanMeeting(s scanner) (domain.Meeting, error) {
	var m domain.Meeting
	var kind, recurrence, status string
	var end, until sql.NullTime
	if err := s.Scan(&m.ID, &m.EstablishmentID, &kind, &m.Title, &m.Start, &end, &m.Place, &recurrence, &until, &status,
		&m.CancelReason, &m.AuthorID, &m.AuthorName, &m.UpdatedAt); err != nil {
		return m, err
	}
	m.Kind, m.Recurrence, m.Status = domain.MeetingKind(kind), domain.Recurrence(recurrence), domain.MeetingStatus(status)
	m.Start, m.UpdatedAt, m.RecurUntil = m.Start.UTC(), m.UpdatedAt.UTC(), nullDate(until)
	if end.Valid {
		m.End = end.Time.UTC()
	}
	return m, nil
}

// Meeting reads one meeting with its participants and usagers (the latter
// as stored: merged records follow their kept record through the merge).
func (tx *Tx) Meeting(id uuid.UUID) (domain.Meeting, error) {
	m, err := scanMeeting(tx.g.Raw(`SELECT `+meetingColumns+` FROM meetings m WHERE m.id = ?`, id).Row())
	if err != nil {
		return m, mapSQL("read meeting", err)
	}
	if err := tx.g.Raw(`SELECT user_id FROM meeting_participants WHERE meeting_id = ? ORDER BY user_id`, id).Scan(&m.Participants).Error; err != nil {
		return m, mapErr("read participants", err)
	}
	if err := tx.g.Raw(`SELECT DISTINCT usager_id FROM meeting_usagers WHERE meeting_id = ? ORDER BY usager_id`, id).Scan(&m.Usagers).Error; err != nil {
		return m, mapErr("read meeting usagers", err)
	}
	return m, nil
}

// Meetings lists the occurrences of the meetings of q.Establishments within
// [q.From, q.To), soonest first, cancelled ones included (marked): the
// agenda shows them so nobody comes for nothing. With q.Participant, only
// the meetings that user takes part in.
func (tx *Tx) Meetings(q domain.MeetingQuery) ([]domain.MeetingItem, error) {
	if len(q.Establishments) == 0 {
		return nil, nil
	}
	cond, args := "", []any{q.Establishments, q.From.UTC(), q.To.UTC(), q.To.UTC(), q.From.UTC()}
	if q.Participant != uuid.Nil {
		cond = " AND EXISTS (SELECT 1 FROM meeting_participants p WHERE p.meeting_id = m.id AND p.user_id = ?)"
		args = append(args, q.Participant)
	}
	rows, err := tx.g.Raw(`SELECT `+meetingColumns+`,
		COALESCE((SELECT array_to_string(array_agg(p.user_id::text ORDER BY p.user_id), ',') FROM meeting_participants p WHERE p.meeting_id = m.id), '')
		FROM meetings m
		WHERE m.establishment_id IN ?
		  AND ((m.recurrence = '' AND m.start_at >= ? AND m.start_at < ?) OR (m.recurrence <> '' AND m.start_at < ? AND m.recur_until >= ?::date))`+cond+`
		ORDER BY m.start_at, m.id LIMIT 1000`, args...).Rows()
	if err != nil {
		return nil, mapErr("read meetings", err)
	}
	defer rows.Close()
	var out []domain.MeetingItem
	for rows.Next() {
		var m domain.Meeting
		var kind, recurrence, status, participants string
		var end, until sql.NullTime
		if err := rows.Scan(&m.ID, &m.EstablishmentID, &kind, &m.Title, &m.Start, &end, &m.Place, &recurrence, &until, &status,
			&m.CancelReason, &m.AuthorID, &m.AuthorName, &m.UpdatedAt, &participants); err != nil {
			return nil, fmt.Errorf("scan meeting: %w", err)
		}
		m.Recurrence, m.RecurUntil = domain.Recurrence(recurrence), nullDate(until)
		it := domain.MeetingItem{MeetingID: m.ID, EstablishmentID: m.EstablishmentID, Kind: domain.MeetingKind(kind), Title: m.Title,
			Place: m.Place, Recurring: m.Recurrence != domain.RecurNone, Status: domain.MeetingStatus(status), CancelReason: m.CancelReason}
		for _, p := range strings.Split(participants, ",") {
			if id, err := uuid.Parse(p); err == nil {
				it.Participants = append(it.Participants, id)
			}
		}
		var length time.Duration
		if end.Valid {
			length = end.Time.Sub(m.Start)
		}
		for _, at := range m.Occurrences(q.From, q.To) {
			occ := it
			occ.At = at
			if end.Valid {
				occ.End = at.Add(length)
			}
			out = append(out, occ)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("read meetings", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}
