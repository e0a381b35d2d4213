package store

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// splitScan appends extra destinations to a scanner's, so one row feeds two
// decoders (the usager's columns, then the identity's).
type splitScan struct {
	row   scanner
	extra []any
}

func (s splitScan) Scan(dest ...any) error { return s.row.Scan(append(dest, s.extra...)...) }

// UsagerVersions reads the snapshots kept by the usager_version trigger.
// Each snapshot is laid over the current row, so a column added after the
// snapshot was taken reads its current value rather than failing.
func (tx *Tx) UsagerVersions(usager uuid.UUID) ([]domain.UsagerVersion, error) {
	rows, err := tx.g.Raw(`SELECT `+usagerColumns+`, `+identityColumns+`
		FROM usager_versions v JOIN usagers cur ON cur.id = v.usager_id, jsonb_populate_record(cur, v.snapshot) u
		WHERE v.usager_id = ? ORDER BY v.updated_at DESC`, usager).Rows()
	if err != nil {
		return nil, fmt.Errorf("read usager versions: %w", err)
	}
	defer rows.Close()
	var out []domain.UsagerVersion
	for rows.Next() {
		var id identityScan
		u, _, err := scanUsager(splitScan{rows, id.dest()})
		if err != nil {
			return nil, fmt.Errorf("scan usager version: %w", err)
		}
		ident, err := id.decode()
		if err != nil {
			return nil, err
		}
		out = append(out, domain.UsagerVersion{Usager: u, Identity: ident})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read usager versions: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("usager versions: %w", domain.ErrNotFound)
	}
	return out, nil
}
