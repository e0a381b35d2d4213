package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// medicationTables hold rows of a usager (moved on a merge).
var medicationTables = []string{"prescriptions", "medication_administrations"}

const prescriptionColumns = `p.id, p.usager_id, p.establishment_id, p.drug, p.code, p.code_system, p.unit, p.route, p.as_needed,
	p.condition, p.dose, p.max_per_24h, p.min_interval_min, p.weekdays, p.start_date, p.end_date, p.prescriber, p.rpps,
	p.order_date, p.notes, p.created_at, p.created_by, p.created_by_name, p.stopped_at, p.stop_reason, p.stopped_by, p.stopped_by_name`

func scanPrescription(r scanner) (domain.Prescription, error) {
	var p domain.Prescription
	var route string
	var dose sql.NullFloat64
	var maxN sql.NullInt64
	var interval, mask int
	var end, stopped sql.NullTime
	var reason, stoppedName sql.NullString
	var stoppedBy uuid.NullUUID
	err := r.Scan(&p.ID, &p.UsagerID, &p.EstablishmentID, &p.Drug, &p.Code, &p.CodeSystem, &p.Unit, &route, &p.AsNeeded,
		&p.Condition, &dose, &maxN, &interval, &mask, &p.Start, &end, &p.Prescriber, &p.RPPS,
		&p.OrderDate, &p.Notes, &p.CreatedAt, &p.CreatedBy, &p.CreatedName, &stopped, &reason, &stoppedBy, &stoppedName)
	if err != nil {
		return p, err
	}
	p.Route, p.Dose, p.MaxPer24h = domain.Route(route), dose.Float64, int(maxN.Int64)
	p.MinInterval = time.Duration(interval) * time.Minute
	for _, w := range domain.WeekdayOrder {
		if mask&(1<<uint(w)) != 0 {
			p.Weekdays = append(p.Weekdays, w)
		}
	}
	p.End, p.StoppedAt, p.StopReason, p.StoppedBy, p.StoppedName = end.Time, stopped.Time, reason.String, stoppedBy.UUID, stoppedName.String
	return p, nil
}

func weekdayMask(ws []time.Weekday) int {
	m := 0
	for _, w := range ws {
		m |= 1 << uint(w)
	}
	return m
}

// SavePrescription inserts a new prescription line with its intakes.
func (tx *Tx) SavePrescription(p *domain.Prescription) error {
	if p.ID != uuid.Nil {
		return fmt.Errorf("save prescription: a prescription is not edited, it is stopped: %w", domain.ErrConflict)
	}
	p.ID = NewID()
	var dose, maxN any
	if p.AsNeeded {
		dose, maxN = p.Dose, p.MaxPer24h
	}
	if err := tx.g.Exec(`INSERT INTO prescriptions (id, org_id, usager_id, establishment_id, drug, code, code_system, unit, route,
		as_needed, condition, dose, max_per_24h, min_interval_min, weekdays, start_date, end_date, prescriber, rpps, order_date, notes,
		created_at, created_by, created_by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, tx.Org, p.UsagerID, p.EstablishmentID, p.Drug, p.Code, p.CodeSystem, p.Unit, string(p.Route),
		p.AsNeeded, p.Condition, dose, maxN, int(p.MinInterval/time.Minute), weekdayMask(p.Weekdays), p.Start, nullTime(p.End),
		p.Prescriber, p.RPPS, p.OrderDate, p.Notes, p.CreatedAt.UTC(), p.CreatedBy, p.CreatedName).Error; err != nil {
		return mapErr("create prescription", err)
	}
	for _, in := range p.Intakes {
		if err := tx.g.Exec(`INSERT INTO prescription_intakes (prescription_id, org_id, minute, quantity) VALUES (?, ?, ?, ?)`,
			p.ID, tx.Org, in.Minute, in.Quantity).Error; err != nil {
			return mapErr("create prescription intake", err)
		}
	}
	return nil
}

// StopPrescription records the arrêt of a line in force.
func (tx *Tx) StopPrescription(id uuid.UUID, at time.Time, reason string, by uuid.UUID, byName string) error {
	r := tx.g.Exec(`UPDATE prescriptions SET stopped_at = ?, stop_reason = ?, stopped_by = ?, stopped_by_name = ?
		WHERE id = ? AND stopped_at IS NULL`, at.UTC(), reason, by, byName, id)
	if r.Error != nil {
		return mapErr("stop prescription", r.Error)
	}
	if r.RowsAffected == 0 {
		if _, err := tx.Prescription(id); err != nil {
			return err
		}
		return fmt.Errorf("stop prescription: already stopped: %w", domain.ErrConflict)
	}
	return nil
}

// Prescription reads one line with its intakes.
func (tx *Tx) Prescription(id uuid.UUID) (domain.Prescription, error) {
	return tx.prescription(id, false)
}

// prescription reads one line; lock takes its row for the rest of the
// transaction, so records of its register are checked one at a time.
func (tx *Tx) prescription(id uuid.UUID, lock bool) (domain.Prescription, error) {
	// The intakes come in the same round trip, as JSON: recording an
	// administration is the hot path of the medication round.
	q := `SELECT ` + prescriptionColumns + `, (SELECT coalesce(json_agg(json_build_array(i.minute, i.quantity) ORDER BY i.minute), '[]')
		FROM prescription_intakes i WHERE i.prescription_id = p.id) FROM prescriptions p WHERE p.id = ?`
	if lock {
		q += ` FOR UPDATE OF p`
	}
	var intakes []byte
	p, err := scanPrescription(extraScan{tx.g.Raw(q, id).Row(), &intakes})
	if err == sql.ErrNoRows {
		return p, fmt.Errorf("prescription: %w", domain.ErrNotFound)
	}
	if err != nil {
		return p, mapErr("read prescription", err)
	}
	var pairs [][2]float64
	if err := json.Unmarshal(intakes, &pairs); err != nil {
		return p, fmt.Errorf("read prescription intakes: %w", err)
	}
	for _, in := range pairs {
		p.Intakes = append(p.Intakes, domain.Intake{Minute: int(in[0]), Quantity: in[1]})
	}
	return p, nil
}

// extraScan appends destinations after those of a scan function.
type extraScan struct {
	r    scanner
	more any
}

func (e extraScan) Scan(dest ...any) error { return e.r.Scan(append(dest, e.more)...) }

// fillIntakes loads the intakes of every line in one query.
func (tx *Tx) fillIntakes(list []domain.Prescription) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(list))
	at := map[uuid.UUID]int{}
	for i, p := range list {
		ids[i], at[p.ID] = p.ID, i
	}
	rows, err := tx.g.Raw(`SELECT prescription_id, minute, quantity FROM prescription_intakes WHERE prescription_id IN ? ORDER BY minute`, ids).Rows()
	if err != nil {
		return mapErr("read intakes", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var in domain.Intake
		if err := rows.Scan(&id, &in.Minute, &in.Quantity); err != nil {
			return fmt.Errorf("scan intake: %w", err)
		}
		list[at[id]].Intakes = append(list[at[id]].Intakes, in)
	}
	return mapErr("read intakes", rows.Err())
}

func (tx *Tx) listPrescriptions(what, where string, args ...any) ([]domain.Prescription, error) {
	rows, err := tx.g.Raw(`SELECT `+prescriptionColumns+` FROM prescriptions p `+where, args...).Rows()
	if err != nil {
		return nil, mapErr(what, err)
	}
	defer rows.Close()
	var out []domain.Prescription
	for rows.Next() {
		p, err := scanPrescription(rows)
		if err != nil {
			return nil, fmt.Errorf("scan prescription: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(what, err)
	}
	return out, tx.fillIntakes(out)
}

// Prescriptions lists every line of a usager: scheduled ones first, then
// "si besoin", by start.
func (tx *Tx) Prescriptions(usager uuid.UUID) ([]domain.Prescription, error) {
	return tx.listPrescriptions("list prescriptions", `WHERE p.usager_id = ? ORDER BY p.as_needed, p.start_date, p.drug, p.id`, usager)
}

// RoundPrescriptions lists the lines of the people admitted in estab that
// are in force on day (stopped ones only when stopped that day or later),
// with the usager's name, by name.
func (tx *Tx) RoundPrescriptions(estab uuid.UUID, day time.Time) ([]domain.Prescription, error) {
	from, _ := domain.DayBounds(day)
	out, err := tx.listPrescriptions("list round prescriptions", `WHERE p.establishment_id = ? AND p.start_date <= ?
		AND (p.end_date IS NULL OR p.end_date >= ?) AND (p.stopped_at IS NULL OR p.stopped_at > ?)
		AND EXISTS (SELECT 1 FROM stays s WHERE s.usager_id = p.usager_id AND s.establishment_id = p.establishment_id AND s.status = 'admitted')
		ORDER BY p.as_needed, p.drug, p.id`, estab, day, day, from)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, 0, len(out))
	for _, p := range out {
		ids = append(ids, p.UsagerID)
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

const administrationColumns = `id, prescription_id, usager_id, establishment_id, planned_at, given_at, status, reason, reason_text, dose,
	decided_by, why, observation, corrects, correction_reason, recorded_at, recorded_by, recorded_by_name`

func scanAdministration(r scanner) (domain.Administration, error) {
	var a domain.Administration
	var planned sql.NullTime
	var status string
	var dose sql.NullFloat64
	var corrects uuid.NullUUID
	err := r.Scan(&a.ID, &a.PrescriptionID, &a.UsagerID, &a.EstablishmentID, &planned, &a.At, &status, &a.Reason, &a.ReasonText, &dose,
		&a.DecidedBy, &a.Why, &a.Observation, &corrects, &a.CorrectionReason, &a.RecordedAt, &a.ByID, &a.ByName)
	a.PlannedAt, a.Status, a.Dose, a.Corrects = planned.Time.UTC(), domain.AdminStatus(status), dose.Float64, corrects.UUID
	if planned.Time.IsZero() {
		a.PlannedAt = time.Time{}
	}
	a.At, a.RecordedAt = a.At.UTC(), a.RecordedAt.UTC()
	return a, err
}

// Administrations lists the current records of the prescriptions planned
// for, or given, within [from, to), in time order.
func (tx *Tx) Administrations(prescriptions []uuid.UUID, from, to time.Time) ([]domain.Administration, error) {
	if len(prescriptions) == 0 {
		return nil, nil
	}
	rows, err := tx.g.Raw(`SELECT `+administrationColumns+` FROM medication_administrations
		WHERE prescription_id IN ? AND NOT superseded
		AND ((planned_at >= ? AND planned_at < ?) OR (planned_at IS NULL AND given_at >= ? AND given_at < ?))
		ORDER BY coalesce(planned_at, given_at), id`, prescriptions, from.UTC(), to.UTC(), from.UTC(), to.UTC()).Rows()
	if err != nil {
		return nil, mapErr("list administrations", err)
	}
	defer rows.Close()
	var out []domain.Administration
	for rows.Next() {
		a, err := scanAdministration(rows)
		if err != nil {
			return nil, fmt.Errorf("scan administration: %w", err)
		}
		out = append(out, a)
	}
	return out, mapErr("list administrations", rows.Err())
}

// Administration reads one record of the register, current or superseded.
func (tx *Tx) Administration(id uuid.UUID) (domain.Administration, error) {
	var superseded bool
	a, err := scanAdministration(extraScan{tx.g.Raw(`SELECT `+administrationColumns+`, superseded FROM medication_administrations WHERE id = ?`, id).Row(), &superseded})
	if err == sql.ErrNoRows {
		return a, fmt.Errorf("administration: %w", domain.ErrNotFound)
	}
	if err != nil {
		return a, mapErr("read administration", err)
	}
	a.Superseded = superseded
	return a, nil
}

// RecordAdministration checks a record against its prescription, locked
// (SELECT … FOR UPDATE) for the rest of the transaction: a second nurse
// recording at the same moment waits, then counts the first one's dose. A
// correction marks the current record of the same intake superseded.
func (tx *Tx) RecordAdministration(a *domain.Administration) error {
	p, err := tx.prescription(a.PrescriptionID, true)
	if err != nil {
		return err
	}
	var v domain.ValidationError
	if a.Corrects != uuid.Nil {
		var planned any
		if !a.PlannedAt.IsZero() {
			planned = a.PlannedAt.UTC()
		}
		r := tx.g.Exec(`UPDATE medication_administrations SET superseded = true
			WHERE id = ? AND prescription_id = ? AND NOT superseded AND planned_at IS NOT DISTINCT FROM ?`, a.Corrects, p.ID, planned)
		if r.Error != nil {
			return mapErr("supersede administration", r.Error)
		}
		if r.RowsAffected == 0 {
			return fmt.Errorf("correct administration: not the current record of this intake: %w", domain.ErrConflict)
		}
	}
	if a.AsNeeded() {
		if !p.AsNeeded {
			v.Add("planned_at", "Ce traitement n'est pas « si besoin » : choisissez la prise prévue.")
			return v.Err()
		}
		if !p.StartsBy(a.At) {
			v.Add("at", "Le traitement n'est pas en vigueur à cette heure-là (arrêté ou hors de ses dates).")
			return v.Err()
		}
		var given []time.Time
		if err := tx.g.Raw(`SELECT given_at FROM medication_administrations WHERE prescription_id = ? AND planned_at IS NULL
			AND NOT superseded AND status = 'given' AND given_at > ? AND given_at < ? ORDER BY given_at`,
			p.ID, a.At.Add(-24*time.Hour).UTC(), a.At.Add(24*time.Hour).UTC()).Scan(&given).Error; err != nil {
			return mapErr("count si besoin doses", err)
		}
		if err := domain.CheckAsNeeded(p, given, a.At); err != nil {
			return err
		}
	} else if _, ok := p.PlannedAt(a.PlannedAt); !ok {
		v.Add("planned_at", "Aucune prise n'est prévue à cette heure pour ce traitement (ou il a été arrêté).")
		return v.Err()
	}
	a.ID, a.UsagerID, a.EstablishmentID = NewID(), p.UsagerID, p.EstablishmentID
	var planned, dose, corrects any
	if !a.PlannedAt.IsZero() {
		planned = a.PlannedAt.UTC()
	}
	if a.Status == domain.AdminGiven {
		dose = a.Dose
	}
	if a.Corrects != uuid.Nil {
		corrects = a.Corrects
	}
	return mapErr("record administration", tx.g.Exec(`INSERT INTO medication_administrations (id, org_id, prescription_id, usager_id,
		establishment_id, planned_at, given_at, status, reason, reason_text, dose, decided_by, why, observation, corrects, correction_reason,
		recorded_at, recorded_by, recorded_by_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, tx.Org, a.PrescriptionID, a.UsagerID, a.EstablishmentID, planned, a.At.UTC(), string(a.Status), a.Reason, a.ReasonText,
		dose, a.DecidedBy, a.Why, a.Observation, corrects, a.CorrectionReason, a.RecordedAt.UTC(), a.ByID, a.ByName).Error)
}
