package store

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// observationTables hold rows of a usager (moved on a merge).
var observationTables = []string{"observations"}

// Values are read as float8: numeric would come back as text.
const observationColumns = `o.id, o.usager_id, o.establishment_id, o.type, o.value::float8, o.value2::float8, o.entered_unit,
	o.measured_at, o.recorded_at, o.author_id, o.author_name, o.comment, o.flagged, o.erroneous_at, o.erroneous_by,
	o.erroneous_by_name, o.erroneous_reason`

func scanObservation(r scanner) (domain.Observation, error) {
	var o domain.Observation
	var typ string
	var value2 sql.NullFloat64
	var errAt sql.NullTime
	var errBy uuid.NullUUID
	var errByName, errReason sql.NullString
	err := r.Scan(&o.ID, &o.UsagerID, &o.EstablishmentID, &typ, &o.Value, &value2, &o.EnteredUnit, &o.MeasuredAt, &o.RecordedAt,
		&o.AuthorID, &o.AuthorName, &o.Comment, &o.Flagged, &errAt, &errBy, &errByName, &errReason)
	if err != nil {
		return o, err
	}
	o.Type, o.Value2 = domain.ObservationType(typ), value2.Float64
	o.ErroneousAt, o.ErroneousBy, o.ErroneousByName, o.ErroneousReason = errAt.Time, errBy.UUID, errByName.String, errReason.String
	return o, nil
}

// observationBatch keeps one INSERT under PostgreSQL's parameter limit.
const observationBatch = 1000

// SaveObservations inserts new entries, several rows per statement (a
// year of daily weights is one round trip).
func (tx *Tx) SaveObservations(obs []domain.Observation) error {
	for start := 0; start < len(obs); start += observationBatch {
		end := min(start+observationBatch, len(obs))
		var sb strings.Builder
		sb.WriteString(`INSERT INTO observations (id, org_id, usager_id, establishment_id, type, value, value2, entered_unit,
			measured_at, recorded_at, author_id, author_name, comment, flagged) VALUES `)
		args := make([]any, 0, 14*(end-start))
		for i := start; i < end; i++ {
			o := &obs[i]
			if o.ID == uuid.Nil {
				o.ID = NewID()
			}
			if o.RecordedAt.IsZero() {
				o.RecordedAt = time.Now().UTC()
			}
			var value2 any
			if o.Kind().Pair() {
				value2 = o.Value2
			}
			if i > start {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, o.ID, tx.Org, o.UsagerID, o.EstablishmentID, string(o.Type), o.Value, value2, o.EnteredUnit,
				o.MeasuredAt.UTC(), o.RecordedAt.UTC(), o.AuthorID, o.AuthorName, o.Comment, o.Flagged)
		}
		if err := tx.g.Exec(sb.String(), args...).Error; err != nil {
			return mapErr("save observations", err)
		}
	}
	return nil
}

// Observation reads one entry.
func (tx *Tx) Observation(id uuid.UUID) (domain.Observation, error) {
	o, err := scanObservation(tx.g.Raw(`SELECT `+observationColumns+` FROM observations o WHERE o.id = ?`, id).Row())
	if err == sql.ErrNoRows {
		return o, fmt.Errorf("observation: %w", domain.ErrNotFound)
	}
	return o, mapErr("read observation", err)
}

// Observations lists a usager's entries of q, oldest first.
func (tx *Tx) Observations(q domain.ObservationQuery) ([]domain.Observation, error) {
	where := []string{"o.usager_id = ?"}
	args := []any{q.UsagerID}
	if len(q.Types) > 0 {
		types := make([]string, len(q.Types))
		for i, t := range q.Types {
			types[i] = string(t)
		}
		where, args = append(where, "o.type IN ?"), append(args, types)
	}
	if !q.Since.IsZero() {
		where, args = append(where, "o.measured_at >= ?"), append(args, q.Since.UTC())
	}
	if !q.IncludeErroneous {
		where = append(where, "o.erroneous_at IS NULL")
	}
	return tx.observations(`SELECT `+observationColumns+` FROM observations o WHERE `+strings.Join(where, " AND ")+
		` ORDER BY o.measured_at, o.id`, args...)
}

// LatestObservations is the last valid entry of each type of a usager.
func (tx *Tx) LatestObservations(usager uuid.UUID) ([]domain.Observation, error) {
	return tx.observations(`SELECT DISTINCT ON (o.type) `+observationColumns+` FROM observations o
		WHERE o.usager_id = ? AND o.erroneous_at IS NULL ORDER BY o.type, o.measured_at DESC, o.id DESC`, usager)
}

func (tx *Tx) observations(query string, args ...any) ([]domain.Observation, error) {
	rows, err := tx.g.Raw(query, args...).Rows()
	if err != nil {
		return nil, mapErr("list observations", err)
	}
	defer rows.Close()
	var out []domain.Observation
	for rows.Next() {
		o, err := scanObservation(rows)
		if err != nil {
			return nil, fmt.Errorf("scan observation: %w", err)
		}
		out = append(out, o)
	}
	return out, mapErr("list observations", rows.Err())
}

// MarkObservationErroneous marks an entry "saisie erronée" (ErrConflict
// when it already is).
func (tx *Tx) MarkObservationErroneous(id, by uuid.UUID, byName, reason string, at time.Time) error {
	r := tx.g.Exec(`UPDATE observations SET erroneous_at = ?, erroneous_by = ?, erroneous_by_name = ?, erroneous_reason = ?
		WHERE id = ? AND erroneous_at IS NULL`, at.UTC(), by, byName, reason, id)
	if r.Error != nil {
		return mapErr("mark observation erroneous", r.Error)
	}
	if r.RowsAffected == 0 {
		if _, err := tx.Observation(id); err != nil {
			return err
		}
		return fmt.Errorf("mark observation erroneous: %w", domain.ErrConflict)
	}
	return nil
}
