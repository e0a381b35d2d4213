package store

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// PresenceRoll lists the people admitted in an establishment on a day (the
// register's lines), ordered by name.
func (tx *Tx) PresenceRoll(estab uuid.UUID, day time.Time) ([]domain.Usager, error) {
	return tx.admittedBetween(estab, day, day)
}

// admittedBetween lists people admitted in estab at some time in [from, to].
func (tx *Tx) admittedBetween(estab uuid.UUID, from, to time.Time) ([]domain.Usager, error) {
	rows, err := tx.g.Raw(`SELECT `+usagerColumns+` FROM usagers u WHERE u.merged_into IS NULL AND EXISTS (
		SELECT 1 FROM stays s WHERE s.usager_id = u.id AND s.establishment_id = ? AND s.status IN ('admitted','discharged')
		AND s.admission_date <= ? AND (s.discharge_date IS NULL OR s.discharge_date >= ?)) ORDER BY u.sort_key, u.id`,
		estab, dateArg(to), dateArg(from)).Rows()
	if err != nil {
		return nil, mapErr("read presence roll", err)
	}
	defer rows.Close()
	var out []domain.Usager
	for rows.Next() {
		u, _, err := scanUsager(rows)
		if err != nil {
			return nil, fmt.Errorf("scan usager: %w", err)
		}
		out = append(out, u)
	}
	return out, mapErr("read presence roll", rows.Err())
}

// Presences reads the register of an establishment between two days.
func (tx *Tx) Presences(estab uuid.UUID, from, to time.Time) ([]domain.Presence, error) {
	rows, err := tx.g.Raw(`SELECT usager_id, day, half, mode, status, reason, recorded_by FROM presences
		WHERE establishment_id = ? AND day BETWEEN ? AND ? ORDER BY day, half`, estab, dateArg(from), dateArg(to)).Rows()
	if err != nil {
		return nil, mapErr("read presences", err)
	}
	defer rows.Close()
	var out []domain.Presence
	for rows.Next() {
		p := domain.Presence{EstablishmentID: estab}
		var half, mode, status string
		if err := rows.Scan(&p.UsagerID, &p.Day, &half, &mode, &status, &p.Reason, &p.RecordedBy); err != nil {
			return nil, fmt.Errorf("scan presence: %w", err)
		}
		p.Half, p.Mode, p.Status, p.Day = domain.Half(half), domain.Mode(mode), domain.PresenceStatus(status), p.Day.UTC()
		out = append(out, p)
	}
	return out, mapErr("read presences", rows.Err())
}

// SavePresences records a day's register (one upsert per line). A line by
// half-day replaces a whole-day line of the same day and person, and the
// other way round, so a day is never counted twice.
func (tx *Tx) SavePresences(lines []domain.Presence) error {
	for _, p := range lines {
		half := p.Half
		if half == "" {
			half = domain.HalfWhole
		}
		other := "half <> 'jour'"
		if half != domain.HalfWhole {
			other = "half = 'jour'"
		}
		if err := tx.g.Exec(`DELETE FROM presences WHERE establishment_id = ? AND day = ? AND usager_id = ? AND `+other,
			p.EstablishmentID, dateArg(p.Day), p.UsagerID).Error; err != nil {
			return mapErr("replace presence", err)
		}
		err := tx.g.Exec(`INSERT INTO presences (org_id, establishment_id, usager_id, day, half, mode, status, reason, recorded_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (establishment_id, day, usager_id, half) DO UPDATE SET mode = EXCLUDED.mode, status = EXCLUDED.status,
			reason = EXCLUDED.reason, recorded_by = EXCLUDED.recorded_by, recorded_at = now()`,
			tx.Org, p.EstablishmentID, p.UsagerID, dateArg(p.Day), string(half), string(p.Mode), string(p.Status), p.Reason, p.RecordedBy).Error
		if err != nil {
			return mapErr("save presence", err)
		}
	}
	return nil
}

// MonthPresence summarises a month of an establishment's register against
// its opening (days or half-days, closures, holidays).
func (tx *Tx) MonthPresence(estab uuid.UUID, year int, month time.Month) ([]domain.Usager, []domain.PresenceSummary, error) {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	opening, err := tx.Opening(estab)
	if err != nil {
		return nil, nil, err
	}
	people, err := tx.admittedBetween(estab, first, last)
	if err != nil {
		return nil, nil, err
	}
	lines, err := tx.Presences(estab, first, last)
	if err != nil {
		return nil, nil, err
	}
	stays := map[uuid.UUID][][2]time.Time{}
	rows, err := tx.g.Raw(`SELECT usager_id, admission_date, discharge_date FROM stays WHERE establishment_id = ?
		AND status IN ('admitted','discharged') AND admission_date <= ? AND (discharge_date IS NULL OR discharge_date >= ?)`,
		estab, dateArg(last), dateArg(first)).Rows()
	if err != nil {
		return nil, nil, mapErr("read stays of the month", err)
	}
	defer rows.Close()
	for rows.Next() {
		var u uuid.UUID
		var from time.Time
		var to *time.Time
		if err := rows.Scan(&u, &from, &to); err != nil {
			return nil, nil, fmt.Errorf("scan stay: %w", err)
		}
		end := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		if to != nil {
			end = to.UTC()
		}
		stays[u] = append(stays[u], [2]time.Time{from.UTC(), end})
	}
	if err := rows.Err(); err != nil {
		return nil, nil, mapErr("read stays of the month", err)
	}
	admitted := func(u uuid.UUID, day time.Time) bool {
		for _, s := range stays[u] {
			if !day.Before(s[0]) && !day.After(s[1]) {
				return true
			}
		}
		return false
	}
	ids := make([]uuid.UUID, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	return people, domain.SummarizePresence(opening, year, month, ids, admitted, lines), nil
}

// StayModes gives, per usager, the mode of their stay in estab covering day.
func (tx *Tx) StayModes(estab uuid.UUID, day time.Time) (map[uuid.UUID]domain.Mode, error) {
	rows, err := tx.g.Raw(`SELECT usager_id, mode FROM stays WHERE establishment_id = ? AND status IN ('admitted','discharged')
		AND admission_date <= ? AND (discharge_date IS NULL OR discharge_date >= ?) ORDER BY admission_date`,
		estab, dateArg(day), dateArg(day)).Rows()
	if err != nil {
		return nil, mapErr("read stay modes", err)
	}
	defer rows.Close()
	out := map[uuid.UUID]domain.Mode{}
	for rows.Next() {
		var u uuid.UUID
		var m string
		if err := rows.Scan(&u, &m); err != nil {
			return nil, fmt.Errorf("scan stay mode: %w", err)
		}
		out[u] = domain.Mode(m)
	}
	return out, mapErr("read stay modes", rows.Err())
}

// Opening reads the opening settings of an establishment with its closure
// periods; the defaults when never set.
func (tx *Tx) Opening(estab uuid.UUID) (domain.Opening, error) {
	o := domain.DefaultOpening(estab)
	var weekdays, modes string
	err := tx.g.Raw(`SELECT weekdays, open_on_holidays, half_days, array_to_string(modes, ',') FROM establishment_opening
		WHERE establishment_id = ?`, estab).Row().Scan(&weekdays, &o.OpenOnHolidays, &o.HalfDays, &modes)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return o, mapErr("read opening", err)
	default:
		o.Stored = true
		o.SetWeekdayDigits(weekdays)
		for _, m := range strings.Split(modes, ",") {
			if m != "" {
				o.Modes = append(o.Modes, domain.Mode(m))
			}
		}
	}
	rows, err := tx.g.Raw(`SELECT id, first_day, last_day, label FROM establishment_closures WHERE establishment_id = ?
		ORDER BY first_day, id`, estab).Rows()
	if err != nil {
		return o, mapErr("read closures", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c domain.Closure
		if err := rows.Scan(&c.ID, &c.First, &c.Last, &c.Label); err != nil {
			return o, fmt.Errorf("scan closure: %w", err)
		}
		c.First, c.Last = c.First.UTC(), c.Last.UTC()
		o.Closures = append(o.Closures, c)
	}
	return o, mapErr("read closures", rows.Err())
}

// SaveOpening stores the settings of o.EstablishmentID (closures apart).
func (tx *Tx) SaveOpening(o domain.Opening, by uuid.UUID) error {
	if o.WeekdayDigits() == "" {
		var v domain.ValidationError
		v.Add("weekdays", "Cochez au moins un jour d'ouverture.")
		return v.Err()
	}
	modes := make([]string, len(o.Modes))
	for i, m := range o.Modes {
		modes[i] = string(m)
	}
	return mapErr("save opening", tx.g.Exec(`INSERT INTO establishment_opening (establishment_id, org_id, weekdays, open_on_holidays,
		half_days, modes, updated_by) VALUES (?, ?, ?, ?, ?, string_to_array(?, ','), ?)
		ON CONFLICT (establishment_id) DO UPDATE SET weekdays = EXCLUDED.weekdays, open_on_holidays = EXCLUDED.open_on_holidays,
		half_days = EXCLUDED.half_days, modes = EXCLUDED.modes, updated_by = EXCLUDED.updated_by, updated_at = now()`,
		o.EstablishmentID, tx.Org, o.WeekdayDigits(), o.OpenOnHolidays, o.HalfDays, strings.Join(modes, ","), by).Error)
}

// AddClosure adds a closure period to estab.
func (tx *Tx) AddClosure(estab uuid.UUID, c *domain.Closure) error {
	if c.ID == uuid.Nil {
		c.ID = NewID()
	}
	return mapErr("add closure", tx.g.Exec(`INSERT INTO establishment_closures (id, org_id, establishment_id, first_day, last_day, label)
		VALUES (?, ?, ?, ?, ?, ?)`, c.ID, tx.Org, estab, dateArg(c.First), dateArg(c.Last), c.Label).Error)
}

// DeleteClosure removes a closure period of estab (ErrNotFound when it is
// not one of estab's).
func (tx *Tx) DeleteClosure(estab, id uuid.UUID) error {
	return affected("delete closure", tx.g.Exec(`DELETE FROM establishment_closures WHERE id = ? AND establishment_id = ?`, id, estab))
}
