package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/migrations"
)

// Migrate applies the schema, then fills what SQL alone cannot compute
// (identity keys of records written before their columns existed). Run it on
// an owner connection.
func (db *DB) Migrate(ctx context.Context) error {
	if err := migrations.Up(ctx, db.sql); err != nil {
		return err
	}
	return db.refreshIdentityKeys(ctx)
}

// refreshIdentityKeys computes the identitovigilance keys of the records
// that have none yet, in batches (owner connection: every organisation).
func (db *DB) refreshIdentityKeys(ctx context.Context) error {
	for {
		rows, err := db.sql.QueryContext(ctx, `SELECT `+usagerColumns+` FROM usagers u WHERE u.name_key = '' LIMIT 1000`)
		if err != nil {
			return mapErr("read identities without keys", err)
		}
		var batch []domain.Usager
		for rows.Next() {
			u, _, err := scanUsager(rows)
			if err != nil {
				rows.Close()
				return fmt.Errorf("scan identity: %w", err)
			}
			batch = append(batch, u)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapErr("read identities without keys", err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, u := range batch {
			k := u.Keys()
			if _, err := db.sql.ExecContext(ctx, `UPDATE usagers SET name_key = $1, phonetic_key = $2, first_phonetic = $3 WHERE id = $4`,
				k.NameKey, k.Phonetic, k.FirstPhonetic, u.ID); err != nil {
				return mapErr("store identity keys", err)
			}
		}
	}
}

// maxCandidates bounds the rows scored for one identity: beyond, the traits
// are too common to be told apart by a list anyway.
const maxCandidates = 500

// IdentityMatches lists the records (not merged, other than u itself) that
// may be the same person as u or a homonym, best first. Every rule of
// domain.CompareIdentities needs the same birth date or the same folded name,
// so candidates come from those two indexes only (a phonetic key alone would
// bring hundreds of Martins); scoring is in Go.
func (tx *Tx) IdentityMatches(u domain.Usager) ([]domain.Match, error) {
	k := u.Keys()
	rows, err := tx.g.Raw(`SELECT `+usagerColumns+` FROM usagers u
		WHERE u.merged_into IS NULL AND u.id <> ? AND (u.birth_date = ? OR u.name_key = ?)
		AND NOT EXISTS (SELECT 1 FROM identity_distinct d WHERE (d.usager_a, d.usager_b) IN ((LEAST(u.id, ?::uuid), GREATEST(u.id, ?::uuid))))
		LIMIT ?`, u.ID, u.BirthDate, k.NameKey, u.ID, u.ID, maxCandidates).Rows()
	if err != nil {
		return nil, mapErr("find identity candidates", err)
	}
	defer rows.Close()
	var out []domain.Match
	for rows.Next() {
		c, _, err := scanUsager(rows)
		if err != nil {
			return nil, fmt.Errorf("scan candidate: %w", err)
		}
		if score, reasons := domain.CompareIdentities(u, c, false); score >= domain.MatchThreshold {
			out = append(out, domain.Match{Usager: c, Score: score, Reasons: reasons})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("find identity candidates", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, nil
}

// DuplicatePairs lists pairs of records of the organisation that may be one
// person, best first, at most limit, leaving out pairs declared distinct.
func (tx *Tx) DuplicatePairs(limit int) ([]domain.DuplicatePair, error) {
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	rows, err := tx.g.Raw(`SELECT a.id, b.id, (a.ins_number <> '' AND b.ins_number = a.ins_number) FROM usagers a
		JOIN usagers b ON b.org_id = a.org_id AND a.id < b.id AND b.merged_into IS NULL
		  AND ((b.birth_date = a.birth_date AND (b.phonetic_key = a.phonetic_key OR b.first_phonetic = a.first_phonetic))
		       OR b.name_key = a.name_key OR (a.ins_number <> '' AND b.ins_number = a.ins_number))
		WHERE a.merged_into IS NULL
		  AND NOT EXISTS (SELECT 1 FROM identity_distinct d WHERE d.usager_a = LEAST(a.id, b.id) AND d.usager_b = GREATEST(a.id, b.id))
		LIMIT ?`, limit*4).Rows()
	if err != nil {
		return nil, mapErr("find duplicate pairs", err)
	}
	var ids [][2]uuid.UUID
	sameINS := map[[2]uuid.UUID]bool{}
	for rows.Next() {
		var a, b uuid.UUID
		var same bool
		if err := rows.Scan(&a, &b, &same); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan pair: %w", err)
		}
		ids = append(ids, [2]uuid.UUID{a, b})
		sameINS[[2]uuid.UUID{a, b}] = same
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr("find duplicate pairs", err)
	}
	flat := make([]uuid.UUID, 0, 2*len(ids))
	for _, p := range ids {
		flat = append(flat, p[0], p[1])
	}
	people, err := tx.usagersByID(flat)
	if err != nil {
		return nil, err
	}
	var out []domain.DuplicatePair
	for _, p := range ids {
		a, b := people[p[0]], people[p[1]]
		if score, reasons := domain.CompareIdentities(a, b, sameINS[p]); score >= domain.MatchThreshold {
			out = append(out, domain.DuplicatePair{A: a, B: b, Score: score, Reasons: reasons})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// usagersByID reads the given records in one query.
func (tx *Tx) usagersByID(ids []uuid.UUID) (map[uuid.UUID]domain.Usager, error) {
	out := map[uuid.UUID]domain.Usager{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.g.Raw(`SELECT `+usagerColumns+` FROM usagers u WHERE u.id IN ?`, ids).Rows()
	if err != nil {
		return nil, mapErr("read identities", err)
	}
	defer rows.Close()
	for rows.Next() {
		u, _, err := scanUsager(rows)
		if err != nil {
			return nil, fmt.Errorf("scan identity: %w", err)
		}
		out[u.ID] = u
	}
	return out, mapErr("read identities", rows.Err())
}

// MarkDistinct records that a and b are two different people, so the pair
// is no longer proposed.
func (tx *Tx) MarkDistinct(a, b, by uuid.UUID) error {
	if a == b {
		return fmt.Errorf("mark distinct: %w", domain.ErrConflict)
	}
	lo, hi := a, b
	if hi.String() < lo.String() {
		lo, hi = hi, lo
	}
	return mapErr("mark distinct", tx.g.Exec(`INSERT INTO identity_distinct (org_id, usager_a, usager_b, decided_by) VALUES (?, ?, ?, ?)
		ON CONFLICT DO NOTHING`, tx.Org, lo, hi, by).Error)
}

// mergedTables are the tables whose rows belong to a usager and move to the
// kept record on a merge. A new table with a usager_id column must be added
// here (TestMergeCoversEveryUsagerTable fails otherwise). access_trail stays
// as written (append-only) and is read through the alias.
var mergedTables = concatTables(
	[]string{"stays", "contacts", "consents", "record_notes", "identity_events", "liaison_notes", "events", "documents", "plans", "presences", "adverse_events"},
	targetedTables, observationTables, carePlanTables, medicationTables, medicalTables, coordinationTables, dluTables, transferTables,
	dmpOutboxTables,
)

// concatTables joins the per-feature lists of usager tables (each feature
// declares its own beside its queries).
func concatTables(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// MergeUsagers moves everything of merged to kept and leaves merged as an
// alias (merged_into). Both must be live records; two open stays in the same
// establishment must be settled first.
func (tx *Tx) MergeUsagers(kept, merged uuid.UUID) (domain.MergeResult, error) {
	res := domain.MergeResult{Kept: kept, Merged: merged, Moved: map[string]int64{}}
	if kept == merged {
		var v domain.ValidationError
		v.Add("merge", "Un dossier ne peut pas être fusionné avec lui-même.")
		return res, v.Err()
	}
	var live int64
	// Lock both rows so no concurrent change slips between check and move.
	if err := tx.g.Raw(`SELECT count(*) FROM (SELECT id FROM usagers WHERE id IN (?, ?) AND merged_into IS NULL FOR UPDATE) x`,
		kept, merged).Scan(&live).Error; err != nil {
		return res, mapErr("lock identities", err)
	}
	if live != 2 {
		return res, fmt.Errorf("merge: %w", domain.ErrNotFound)
	}
	var clash int64
	if err := tx.g.Raw(`SELECT count(*) FROM stays a JOIN stays b ON a.establishment_id = b.establishment_id
		WHERE a.usager_id = ? AND b.usager_id = ? AND a.status IN ('preadmission','admitted') AND b.status IN ('preadmission','admitted')`,
		kept, merged).Scan(&clash).Error; err != nil {
		return res, mapErr("check open stays", err)
	}
	if clash > 0 {
		var v domain.ValidationError
		v.Add("merge", "Les deux dossiers ont un séjour ouvert dans le même établissement : clôturez ou annulez l'un des deux avant la fusion.")
		return res, v.Err()
	}
	for _, table := range mergedTables {
		r := tx.g.Exec(`UPDATE `+table+` SET usager_id = ? WHERE usager_id = ?`, kept, merged)
		if r.Error != nil {
			return res, mapErr("move "+table, r.Error)
		}
		res.Moved[table] = r.RowsAffected
	}
	if err := tx.g.Exec(`DELETE FROM identity_distinct WHERE usager_a = ? OR usager_b = ?`, merged, merged).Error; err != nil {
		return res, mapErr("forget distinct pairs", err)
	}
	if err := tx.g.Exec(`UPDATE usagers SET merged_into = ?, merged_at = now(), updated_at = now() WHERE id = ?`, kept, merged).Error; err != nil {
		return res, mapErr("mark merged", err)
	}
	// Records merged earlier into the merged one now point at the kept one.
	if err := tx.g.Exec(`UPDATE usagers SET merged_into = ? WHERE merged_into = ?`, kept, merged).Error; err != nil {
		return res, mapErr("repoint aliases", err)
	}
	return res, nil
}

// MergedTables lists the tables a merge moves (for the completeness test).
func MergedTables() []string { return append([]string{}, mergedTables...) }
