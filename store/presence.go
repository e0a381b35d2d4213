package store

import (
	"fmt"
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
	rows, err := tx.g.Raw(`SELECT usager_id, day, status, reason, recorded_by FROM presences
		WHERE establishment_id = ? AND day BETWEEN ? AND ? ORDER BY day`, estab, dateArg(from), dateArg(to)).Rows()
	if err != nil {
		return nil, mapErr("read presences", err)
	}
	defer rows.Close()
	var out []domain.Presence
	for rows.Next() {
		p := domain.Presence{EstablishmentID: estab}
		var status string
		if err := rows.Scan(&p.UsagerID, &p.Day, &status, &p.Reason, &p.RecordedBy); err != nil {
			return nil, fmt.Errorf("scan presence: %w", err)
		}
		p.Status, p.Day = domain.PresenceStatus(status), p.Day.UTC()
		out = append(out, p)
	}
	return out, mapErr("read presences", rows.Err())
}

// SavePresences records a day's register (one upsert per line).
func (tx *Tx) SavePresences(lines []domain.Presence) error {
	for _, p := range lines {
		err := tx.g.Exec(`INSERT INTO presences (org_id, establishment_id, usager_id, day, status, reason, recorded_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (establishment_id, day, usager_id, half) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason,
			recorded_by = EXCLUDED.recorded_by, recorded_at = now()`,
			tx.Org, p.EstablishmentID, p.UsagerID, dateArg(p.Day), string(p.Status), p.Reason, p.RecordedBy).Error
		if err != nil {
			return mapErr("save presence", err)
		}
	}
	return nil
}

// MonthPresence summarises a month of an establishment's register.
func (tx *Tx) MonthPresence(estab uuid.UUID, year int, month time.Month) ([]domain.Usager, []domain.PresenceSummary, error) {
	first := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
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
	return people, domain.SummarizePresence(year, month, ids, admitted, lines), nil
}
