package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// carePlanTables hold rows of a usager (moved on a merge).
var carePlanTables = []string{"care_acts", "care_marks", "care_round_stops"}

const careActColumns = `a.id, a.usager_id, a.establishment_id, a.kind, a.label, array_to_json(a.weekdays)::text, array_to_json(a.moments)::text,
	a.at_time, a.start_date, a.end_date, a.instructions, a.created_at, a.author_id, a.author_name, a.stopped_at, a.stopped_by_name, a.stop_reason`

func scanCareAct(r scanner) (domain.CareAct, error) {
	var a domain.CareAct
	var kind, days, moments string
	var end, stopped sql.NullTime
	if err := r.Scan(&a.ID, &a.UsagerID, &a.EstablishmentID, &kind, &a.Label, &days, &moments, &a.At, &a.Start, &end,
		&a.Instructions, &a.CreatedAt, &a.AuthorID, &a.AuthorName, &stopped, &a.StoppedByName, &a.StopReason); err != nil {
		return a, err
	}
	a.Kind, a.End, a.StoppedAt = domain.CareKind(kind), end.Time, stopped.Time
	var ds []int
	if err := json.Unmarshal([]byte(days), &ds); err != nil {
		return a, fmt.Errorf("decode weekdays: %w", err)
	}
	for _, d := range ds {
		a.Weekdays = append(a.Weekdays, time.Weekday(d))
	}
	var ms []string
	if err := json.Unmarshal([]byte(moments), &ms); err != nil {
		return a, fmt.Errorf("decode moments: %w", err)
	}
	for _, m := range ms {
		a.Moments = append(a.Moments, domain.Moment(m))
	}
	return a, nil
}

// SaveCareAct inserts a care act (ID Nil) or rewrites its schedule and
// instructions; the usager, author and stop are not rewritten.
func (tx *Tx) SaveCareAct(a *domain.CareAct) error {
	days := make([]string, len(a.Weekdays))
	for i, d := range a.Weekdays {
		days[i] = strconv.Itoa(int(d))
	}
	moments := make([]string, len(a.Moments))
	for i, m := range a.Moments {
		moments[i] = string(m)
	}
	if a.ID == uuid.Nil {
		a.ID = NewID()
		if a.CreatedAt.IsZero() {
			a.CreatedAt = time.Now().UTC()
		}
		return mapErr("create care act", tx.g.Exec(`INSERT INTO care_acts (id, org_id, usager_id, establishment_id, kind, label, weekdays,
			moments, at_time, start_date, end_date, instructions, created_at, author_id, author_name)
			VALUES (?, ?, ?, ?, ?, ?, CAST(CAST(? AS text) AS int[]), CAST(? AS text[]), ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, tx.Org, a.UsagerID, a.EstablishmentID, string(a.Kind), a.Label, textArray(days), textArray(moments), a.At,
			a.Start, nullTime(a.End), a.Instructions, a.CreatedAt.UTC(), a.AuthorID, a.AuthorName).Error)
	}
	r := tx.g.Exec(`UPDATE care_acts SET kind = ?, label = ?, weekdays = CAST(CAST(? AS text) AS int[]), moments = CAST(? AS text[]),
		at_time = ?, start_date = ?, end_date = ?, instructions = ? WHERE id = ? AND stopped_at IS NULL`,
		string(a.Kind), a.Label, textArray(days), textArray(moments), a.At, a.Start, nullTime(a.End), a.Instructions, a.ID)
	if r.Error != nil {
		return mapErr("update care act", r.Error)
	}
	if r.RowsAffected == 0 {
		return fmt.Errorf("update care act: %w", domain.ErrNotFound)
	}
	return nil
}

// CareAct reads one act with the name of its usager.
func (tx *Tx) CareAct(id uuid.UUID) (domain.CareAct, error) {
	a, err := scanCareAct(tx.g.Raw(`SELECT `+careActColumns+` FROM care_acts a WHERE a.id = ?`, id).Row())
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("care act: %w", domain.ErrNotFound)
	}
	if err != nil {
		return a, mapErr("read care act", err)
	}
	people, err := tx.usagersByID([]uuid.UUID{a.UsagerID})
	if err != nil {
		return a, err
	}
	a.UsagerName = people[a.UsagerID].DisplayName()
	return a, nil
}

// CareActs lists the acts of q.Usagers, or of the usagers admitted in
// q.Establishments (acts given there); with a day, only the acts whose dates
// cover it (stopped ones included: their marks of that day stay visible).
func (tx *Tx) CareActs(q domain.CareActQuery) ([]domain.CareAct, error) {
	if len(q.Usagers) == 0 && len(q.Establishments) == 0 {
		return nil, nil
	}
	where, args := "TRUE", []any{}
	if len(q.Usagers) > 0 {
		where += " AND a.usager_id IN ?"
		args = append(args, q.Usagers)
	}
	if len(q.Establishments) > 0 {
		where += ` AND a.establishment_id IN ? AND EXISTS (SELECT 1 FROM stays s WHERE s.usager_id = a.usager_id
			AND s.establishment_id = a.establishment_id AND s.status = 'admitted')`
		args = append(args, q.Establishments)
	}
	if !q.Day.IsZero() {
		day := domain.CalendarDay(q.Day)
		where += " AND a.start_date <= ? AND (a.end_date IS NULL OR a.end_date >= ?) AND (a.stopped_at IS NULL OR a.stopped_at >= ?)"
		args = append(args, day, day, day.Add(-24*time.Hour))
	}
	rows, err := tx.g.Raw(`SELECT `+careActColumns+` FROM care_acts a WHERE `+where+` ORDER BY a.created_at, a.id`, args...).Rows()
	if err != nil {
		return nil, mapErr("list care acts", err)
	}
	defer rows.Close()
	var out []domain.CareAct
	var ids []uuid.UUID
	for rows.Next() {
		a, err := scanCareAct(rows)
		if err != nil {
			return nil, fmt.Errorf("scan care act: %w", err)
		}
		out = append(out, a)
		ids = append(ids, a.UsagerID)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("list care acts", err)
	}
	people, err := tx.usagersByID(ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].UsagerName = people[out[i].UsagerID].DisplayName()
	}
	return out, nil
}

// StopCareAct stops an active act: it is no longer due from the day after
// at, and stays listed with its marks.
func (tx *Tx) StopCareAct(id uuid.UUID, at time.Time, byName, reason string) error {
	r := tx.g.Exec(`UPDATE care_acts SET stopped_at = ?, stopped_by_name = ?, stop_reason = ? WHERE id = ? AND stopped_at IS NULL`,
		at.UTC(), byName, reason, id)
	if r.Error != nil {
		return mapErr("stop care act", r.Error)
	}
	if r.RowsAffected == 0 {
		if _, err := tx.CareAct(id); err != nil {
			return err
		}
		return fmt.Errorf("stop care act: already stopped: %w", domain.ErrConflict)
	}
	return nil
}

const careMarkColumns = `m.id, m.act_id, m.usager_id, m.day, m.slot, m.done, m.reason, m.reason_text, m.by_id, m.by_name, m.at`

func scanCareMark(r scanner) (domain.CareMark, error) {
	var m domain.CareMark
	var reason string
	err := r.Scan(&m.ID, &m.ActID, &m.UsagerID, &m.Day, &m.Slot, &m.Done, &reason, &m.ReasonText, &m.ByID, &m.ByName, &m.At)
	m.Reason = domain.NotDoneReason(reason)
	return m, err
}

// MarkCare records the mark of an occurrence. The unique key (act, day,
// slot) makes a repeated tap harmless: the same state again is accepted and
// m becomes the stored mark; a different state is a conflict (a correction
// goes through CorrectCare).
func (tx *Tx) MarkCare(m *domain.CareMark) error {
	id := NewID()
	r := tx.g.Exec(`INSERT INTO care_marks (id, org_id, act_id, usager_id, day, slot, done, reason, reason_text, by_id, by_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (act_id, day, slot) DO NOTHING`,
		id, tx.Org, m.ActID, m.UsagerID, domain.CalendarDay(m.Day), m.Slot, m.Done, string(m.Reason), m.ReasonText, m.ByID, m.ByName, m.At.UTC())
	if r.Error != nil {
		return mapErr("mark care act", r.Error)
	}
	if r.RowsAffected == 1 {
		m.ID = id
		return nil
	}
	stored, err := tx.CareMarkAt(m.ActID, m.Day, m.Slot)
	if err != nil {
		return err
	}
	if !stored.Same(*m) {
		return fmt.Errorf("mark care act: already marked %q by %s: %w", stored.StateLabel(), stored.ByName, domain.ErrConflict)
	}
	*m = stored
	return nil
}

// CorrectCare replaces the stored mark of (act, day, slot) with m, keeping
// the replaced state and why in care_mark_corrections.
func (tx *Tx) CorrectCare(m *domain.CareMark, why string) error {
	var old domain.CareMark
	old, err := scanCareMark(tx.g.Raw(`SELECT `+careMarkColumns+` FROM care_marks m WHERE m.act_id = ? AND m.day = ? AND m.slot = ? FOR UPDATE`,
		m.ActID, domain.CalendarDay(m.Day), m.Slot).Row())
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("correct care mark: %w", domain.ErrNotFound)
	}
	if err != nil {
		return mapErr("read care mark", err)
	}
	if err := tx.g.Exec(`INSERT INTO care_mark_corrections (id, org_id, mark_id, done, reason, reason_text, by_name, at, why,
		corrected_by, corrected_by_name, corrected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		NewID(), tx.Org, old.ID, old.Done, string(old.Reason), old.ReasonText, old.ByName, old.At, why, m.ByID, m.ByName, m.At.UTC()).Error; err != nil {
		return mapErr("keep corrected care mark", err)
	}
	if err := tx.g.Exec(`UPDATE care_marks SET done = ?, reason = ?, reason_text = ?, by_id = ?, by_name = ?, at = ? WHERE id = ?`,
		m.Done, string(m.Reason), m.ReasonText, m.ByID, m.ByName, m.At.UTC(), old.ID).Error; err != nil {
		return mapErr("correct care mark", err)
	}
	m.ID = old.ID
	return nil
}

// CareMarkAt reads the mark of one occurrence with its corrections.
func (tx *Tx) CareMarkAt(act uuid.UUID, day time.Time, slot string) (domain.CareMark, error) {
	m, err := scanCareMark(tx.g.Raw(`SELECT `+careMarkColumns+` FROM care_marks m WHERE m.act_id = ? AND m.day = ? AND m.slot = ?`,
		act, domain.CalendarDay(day), slot).Row())
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("care mark: %w", domain.ErrNotFound)
	}
	if err != nil {
		return m, mapErr("read care mark", err)
	}
	rows, err := tx.g.Raw(`SELECT done, reason, reason_text, by_name, at, why, corrected_by_name, corrected_at
		FROM care_mark_corrections WHERE mark_id = ? ORDER BY corrected_at, id`, m.ID).Rows()
	if err != nil {
		return m, mapErr("read care mark corrections", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c domain.CareCorrection
		var reason string
		if err := rows.Scan(&c.Done, &reason, &c.ReasonText, &c.ByName, &c.At, &c.Why, &c.CorrectedBy, &c.CorrectedAt); err != nil {
			return m, fmt.Errorf("scan care mark correction: %w", err)
		}
		c.Reason = domain.NotDoneReason(reason)
		m.Corrections = append(m.Corrections, c)
	}
	return m, mapErr("read care mark corrections", rows.Err())
}

// CareMarks lists the marks of a day for the given acts.
func (tx *Tx) CareMarks(acts []uuid.UUID, day time.Time) ([]domain.CareMark, error) {
	if len(acts) == 0 {
		return nil, nil
	}
	rows, err := tx.g.Raw(`SELECT `+careMarkColumns+` FROM care_marks m WHERE m.day = ? AND m.act_id IN ? ORDER BY m.at, m.id`,
		domain.CalendarDay(day), acts).Rows()
	if err != nil {
		return nil, mapErr("list care marks", err)
	}
	defer rows.Close()
	var out []domain.CareMark
	for rows.Next() {
		m, err := scanCareMark(rows)
		if err != nil {
			return nil, fmt.Errorf("scan care mark: %w", err)
		}
		out = append(out, m)
	}
	return out, mapErr("list care marks", rows.Err())
}

// SaveRound inserts a round (ID Nil) or renames it and sets its default
// professional.
func (tx *Tx) SaveRound(r *domain.Round) error {
	if r.ID == uuid.Nil {
		r.ID = NewID()
		return mapErr("create round", tx.g.Exec(`INSERT INTO care_rounds (id, org_id, establishment_id, name, default_user_id)
			VALUES (?, ?, ?, ?, ?)`, r.ID, tx.Org, r.EstablishmentID, r.Name, nullID(r.DefaultUserID)).Error)
	}
	res := tx.g.Exec(`UPDATE care_rounds SET name = ?, default_user_id = ? WHERE id = ?`, r.Name, nullID(r.DefaultUserID), r.ID)
	if res.Error != nil {
		return mapErr("update round", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("update round: %w", domain.ErrNotFound)
	}
	return nil
}

const roundColumns = `r.id, r.establishment_id, r.name, r.default_user_id, COALESCE(u.display_name, ''), r.created_at`

func (tx *Tx) listRounds(where string, args ...any) ([]domain.Round, error) {
	rows, err := tx.g.Raw(`SELECT `+roundColumns+` FROM care_rounds r LEFT JOIN users u ON u.id = r.default_user_id
		WHERE `+where+` ORDER BY r.name, r.id`, args...).Rows()
	if err != nil {
		return nil, mapErr("list rounds", err)
	}
	defer rows.Close()
	var out []domain.Round
	for rows.Next() {
		var r domain.Round
		var def uuid.NullUUID
		if err := rows.Scan(&r.ID, &r.EstablishmentID, &r.Name, &def, &r.DefaultUserName, &r.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan round: %w", err)
		}
		r.DefaultUserID = def.UUID
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("list rounds", err)
	}
	return out, tx.fillStops(out)
}

// fillStops reads the stops of the rounds, in order, with their usagers, in
// two queries whatever the number of rounds.
func (tx *Tx) fillStops(rounds []domain.Round) error {
	if len(rounds) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(rounds))
	at := map[uuid.UUID]int{}
	for i, r := range rounds {
		ids[i], at[r.ID] = r.ID, i
	}
	rows, err := tx.g.Raw(`SELECT id, round_id, usager_id, position, access_notes FROM care_round_stops
		WHERE round_id IN ? ORDER BY round_id, position, id`, ids).Rows()
	if err != nil {
		return mapErr("list round stops", err)
	}
	defer rows.Close()
	var stops []domain.RoundStop
	var people []uuid.UUID
	for rows.Next() {
		var s domain.RoundStop
		if err := rows.Scan(&s.ID, &s.RoundID, &s.UsagerID, &s.Position, &s.AccessNotes); err != nil {
			return fmt.Errorf("scan round stop: %w", err)
		}
		stops = append(stops, s)
		people = append(people, s.UsagerID)
	}
	if err := rows.Err(); err != nil {
		return mapErr("list round stops", err)
	}
	byID, err := tx.usagersByID(people)
	if err != nil {
		return err
	}
	for _, s := range stops {
		s.Usager = byID[s.UsagerID]
		i := at[s.RoundID]
		rounds[i].Stops = append(rounds[i].Stops, s)
	}
	return nil
}

// Round reads a round with its stops and its assignments from 30 days ago.
func (tx *Tx) Round(id uuid.UUID) (domain.Round, error) {
	rs, err := tx.listRounds("r.id = ?", id)
	if err != nil {
		return domain.Round{}, err
	}
	if len(rs) == 0 {
		return domain.Round{}, fmt.Errorf("round: %w", domain.ErrNotFound)
	}
	r := rs[0]
	rows, err := tx.g.Raw(`SELECT a.round_id, a.day, a.user_id, u.display_name FROM care_round_assignments a JOIN users u ON u.id = a.user_id
		WHERE a.round_id = ? AND a.day >= current_date - 30 ORDER BY a.day`, id).Rows()
	if err != nil {
		return r, mapErr("list round assignments", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a domain.RoundAssignment
		if err := rows.Scan(&a.RoundID, &a.Day, &a.UserID, &a.UserName); err != nil {
			return r, fmt.Errorf("scan round assignment: %w", err)
		}
		r.Assignments = append(r.Assignments, a)
	}
	return r, mapErr("list round assignments", rows.Err())
}

// Rounds lists the rounds of the establishments with their stops.
func (tx *Tx) Rounds(estabs []uuid.UUID) ([]domain.Round, error) {
	if len(estabs) == 0 {
		return nil, nil
	}
	return tx.listRounds("r.establishment_id IN ?", estabs)
}

// SetRoundStops replaces the stops of a round by stops, numbered in the
// given order; a usager listed twice is refused.
func (tx *Tx) SetRoundStops(round uuid.UUID, stops []domain.RoundStop) error {
	seen := map[uuid.UUID]bool{}
	for _, s := range stops {
		if seen[s.UsagerID] {
			var v domain.ValidationError
			v.Add("usager_id", "Cette personne est déjà dans la tournée.")
			return v.Err()
		}
		seen[s.UsagerID] = true
	}
	if err := tx.g.Exec(`SELECT id FROM care_rounds WHERE id = ? FOR UPDATE`, round).Error; err != nil {
		return mapErr("lock round", err)
	}
	if err := tx.g.Exec(`DELETE FROM care_round_stops WHERE round_id = ?`, round).Error; err != nil {
		return mapErr("clear round stops", err)
	}
	for i, s := range stops {
		id := s.ID
		if id == uuid.Nil {
			id = NewID()
		}
		if err := tx.g.Exec(`INSERT INTO care_round_stops (id, org_id, round_id, usager_id, position, access_notes) VALUES (?, ?, ?, ?, ?, ?)`,
			id, tx.Org, round, s.UsagerID, i+1, s.AccessNotes).Error; err != nil {
			return mapErr("add round stop", err)
		}
	}
	return nil
}

// AssignRound sets who does the round on a day (Nil user: back to the
// default professional).
func (tx *Tx) AssignRound(a domain.RoundAssignment) error {
	day := domain.CalendarDay(a.Day)
	if a.UserID == uuid.Nil {
		return mapErr("unassign round", tx.g.Exec(`DELETE FROM care_round_assignments WHERE round_id = ? AND day = ?`, a.RoundID, day).Error)
	}
	return mapErr("assign round", tx.g.Exec(`INSERT INTO care_round_assignments (org_id, round_id, day, user_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (round_id, day) DO UPDATE SET user_id = EXCLUDED.user_id`, tx.Org, a.RoundID, day, a.UserID).Error)
}

// MyRounds are the rounds of the establishments that user does on day:
// assigned to them that day, or theirs by default with nobody else assigned.
func (tx *Tx) MyRounds(user uuid.UUID, day time.Time, estabs []uuid.UUID) ([]domain.Round, error) {
	if len(estabs) == 0 {
		return nil, nil
	}
	day = domain.CalendarDay(day)
	return tx.listRounds(`r.establishment_id IN ? AND (
		EXISTS (SELECT 1 FROM care_round_assignments a WHERE a.round_id = r.id AND a.day = ? AND a.user_id = ?)
		OR (r.default_user_id = ? AND NOT EXISTS (SELECT 1 FROM care_round_assignments a WHERE a.round_id = r.id AND a.day = ?)))`,
		estabs, day, user, user, day)
}

// PersonsToNotify lists the personnes à prévenir of the usagers in one query.
func (tx *Tx) PersonsToNotify(usagers []uuid.UUID) (map[uuid.UUID][]domain.Contact, error) {
	out := map[uuid.UUID][]domain.Contact{}
	if len(usagers) == 0 {
		return out, nil
	}
	rows, err := tx.g.Raw(`SELECT `+contactColumns+` FROM contacts WHERE usager_id IN ? AND 'personne_a_prevenir' = ANY(roles)
		ORDER BY usager_id, last_name, first_name, id`, usagers).Rows()
	if err != nil {
		return nil, mapErr("list persons to notify", err)
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("scan person to notify: %w", err)
		}
		out[c.UsagerID] = append(out[c.UsagerID], c)
	}
	return out, mapErr("list persons to notify", rows.Err())
}
