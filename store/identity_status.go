package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
)

// storedINS is a matricule as kept in past_ins (jsonb).
type storedINS struct {
	Number string `json:"number"`
	Key    string `json:"key"`
	OID    string `json:"oid"`
}

// identityColumns are the qualification evidence columns of usagers (alias u).
const identityColumns = `u.identity_status, u.identity_douteuse, u.douteuse_reason, u.identity_fictive, u.fictive_reason,
	u.ins_number, u.ins_key, u.ins_oid, u.ins_retrieved_at, u.past_ins::text, u.document_type, u.document_with_photo_vitale,
	u.document_checked_at, u.document_checked_by`

// identityScan receives identityColumns; decode turns them into the domain.
type identityScan struct {
	id                            domain.Identity
	status, number, key, oid, doc string
	past                          string
	retrieved, checkedAt          sql.NullTime
	checkedBy                     uuid.NullUUID
}

func (s *identityScan) dest() []any {
	return []any{&s.status, &s.id.Douteuse, &s.id.DouteuseReason, &s.id.Fictive, &s.id.FictiveReason, &s.number, &s.key,
		&s.oid, &s.retrieved, &s.past, &s.doc, &s.id.WithPhotoVitale, &s.checkedAt, &s.checkedBy}
}

func (s *identityScan) decode() (domain.Identity, error) {
	id := s.id
	id.Status, id.Document, id.DocumentCheckedBy = domain.IdentityStatus(s.status), domain.DocumentType(s.doc), s.checkedBy.UUID
	if s.number != "" {
		id.INS = &ins.Matricule{Number: s.number, Key: s.key, OID: s.oid}
	}
	if s.retrieved.Valid {
		id.INSRetrievedAt = s.retrieved.Time
	}
	if s.checkedAt.Valid {
		id.DocumentCheckedAt = s.checkedAt.Time
	}
	var olds []storedINS
	if err := json.Unmarshal([]byte(s.past), &olds); err != nil {
		return id, fmt.Errorf("decode past INS: %w", err)
	}
	for _, o := range olds {
		id.PastINS = append(id.PastINS, ins.Matricule{Number: o.Number, Key: o.Key, OID: o.OID})
	}
	return id, nil
}

// Identity reads the qualification evidence of a usager's identity.
func (tx *Tx) Identity(usager uuid.UUID) (domain.Identity, error) {
	var s identityScan
	if err := tx.g.Raw(`SELECT `+identityColumns+` FROM usagers u WHERE u.id = ?`, usager).Row().Scan(s.dest()...); err != nil {
		return domain.Identity{}, mapSQL("read identity", err)
	}
	return s.decode()
}

// Identities reads the identity evidence of several usagers in one query (a
// page of search results).
func (tx *Tx) Identities(ids []uuid.UUID) (map[uuid.UUID]domain.Identity, error) {
	out := make(map[uuid.UUID]domain.Identity, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.g.Raw(`SELECT u.id, `+identityColumns+` FROM usagers u WHERE u.id IN ?`, ids).Rows()
	if err != nil {
		return nil, fmt.Errorf("read identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		var s identityScan
		if err := rows.Scan(append([]any{&id}, s.dest()...)...); err != nil {
			return nil, fmt.Errorf("scan identity: %w", err)
		}
		if out[id], err = s.decode(); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read identities: %w", err)
	}
	return out, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func nullID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id
}

// SaveIdentity stores the identity's evidence and derived status with the
// event that changed it (the identity history shown on the dossier).
func (tx *Tx) SaveIdentity(usager uuid.UUID, id domain.Identity, ev domain.IdentityEvent, byName string) error {
	var number, key, oid string
	if id.INS != nil {
		number, key, oid = id.INS.Number, id.INS.Key, id.INS.OID
	}
	olds := make([]storedINS, 0, len(id.PastINS))
	for _, m := range id.PastINS {
		olds = append(olds, storedINS{Number: m.Number, Key: m.Key, OID: m.OID})
	}
	past, err := json.Marshal(olds)
	if err != nil {
		return fmt.Errorf("encode past INS: %w", err)
	}
	err = affected("save identity", tx.g.Exec(`UPDATE usagers SET identity_status = ?, identity_douteuse = ?, douteuse_reason = ?,
		identity_fictive = ?, fictive_reason = ?, ins_number = ?, ins_key = ?, ins_oid = ?, ins_retrieved_at = ?, past_ins = ?::jsonb,
		document_type = ?, document_with_photo_vitale = ?, document_checked_at = ?, document_checked_by = ?, updated_at = now()
		WHERE id = ?`,
		string(id.ComputeStatus()), id.Douteuse, id.DouteuseReason, id.Fictive, id.FictiveReason, number, key, oid,
		nullTime(id.INSRetrievedAt), string(past), string(id.Document), id.WithPhotoVitale, nullTime(id.DocumentCheckedAt),
		nullID(id.DocumentCheckedBy), usager))
	if err != nil {
		return err
	}
	at := ev.At
	if at.IsZero() {
		at = time.Now()
	}
	return mapErr("record identity event", tx.g.Exec(`INSERT INTO identity_events (id, org_id, usager_id, kind, from_status, to_status,
		at, by_user, by_name, description, evidence, evidence_code, reason, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		NewID(), tx.Org, usager, string(ev.Kind), string(ev.From), string(ev.To), at.UTC(), nullID(ev.By), byName,
		ev.Description, ev.Evidence, ev.EvidenceCode, ev.Reason, textArray(ev.Warnings)).Error)
}

// IdentityHistory lists the identity events of a usager, newest first.
func (tx *Tx) IdentityHistory(usager uuid.UUID) ([]domain.IdentityRecord, error) {
	rows, err := tx.g.Raw(`SELECT kind, from_status, to_status, at, by_user, by_name, description, evidence, evidence_code, reason,
		array_to_json(warnings)::text FROM identity_events WHERE usager_id = ? ORDER BY at DESC, id DESC LIMIT 200`, usager).Rows()
	if err != nil {
		return nil, mapErr("read identity history", err)
	}
	defer rows.Close()
	var out []domain.IdentityRecord
	for rows.Next() {
		var r domain.IdentityRecord
		var kind, from, to, warnings string
		var by uuid.NullUUID
		if err := rows.Scan(&kind, &from, &to, &r.At, &by, &r.ByName, &r.Description, &r.Evidence, &r.EvidenceCode, &r.Reason, &warnings); err != nil {
			return nil, fmt.Errorf("scan identity event: %w", err)
		}
		r.Kind, r.From, r.To, r.By = domain.IdentityEventKind(kind), domain.IdentityStatus(from), domain.IdentityStatus(to), by.UUID
		if err := json.Unmarshal([]byte(warnings), &r.Warnings); err != nil {
			return nil, fmt.Errorf("decode warnings: %w", err)
		}
		out = append(out, r)
	}
	return out, mapErr("read identity history", rows.Err())
}
