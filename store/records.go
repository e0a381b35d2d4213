package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/relais-dui/relais/domain"
)

// OrgID is the tenant of the transaction.
func (tx *Tx) OrgID() uuid.UUID { return tx.Org }

// CreateOrganisation inserts o; run it in InTenant(o.ID) so RLS accepts the row.
func (tx *Tx) CreateOrganisation(o *domain.Organisation) error {
	if o.ID == uuid.Nil {
		o.ID = tx.Org
	}
	return mapErr("create organisation", tx.g.Exec(
		`INSERT INTO organisations (id, name, finess_ej) VALUES (?, ?, ?)`, o.ID, o.Name, o.FinessEJ).Error)
}

// Organisation is the tenant's organisation.
func (tx *Tx) Organisation() (domain.Organisation, error) {
	var o domain.Organisation
	err := tx.g.Raw(`SELECT id, name, finess_ej FROM organisations WHERE id = ?`, tx.Org).Row().Scan(&o.ID, &o.Name, &o.FinessEJ)
	return o, mapSQL("read organisation", err)
}

// CreateEstablishment inserts e in the tenant's organisation.
func (tx *Tx) CreateEstablishment(e *domain.Establishment) error {
	if e.ID == uuid.Nil {
		e.ID = NewID()
	}
	e.OrgID = tx.Org
	return mapErr("create establishment", tx.g.Exec(
		`INSERT INTO establishments (id, org_id, name, finess_et, category) VALUES (?, ?, ?, ?, ?)`,
		e.ID, e.OrgID, e.Name, e.FinessET, string(e.Category)).Error)
}

// Establishments of the tenant, by name.
func (tx *Tx) Establishments() ([]domain.Establishment, error) {
	rows, err := tx.g.Raw(`SELECT id, org_id, name, finess_et, category FROM establishments ORDER BY name, id`).Rows()
	if err != nil {
		return nil, mapErr("list establishments", err)
	}
	defer rows.Close()
	var out []domain.Establishment
	for rows.Next() {
		var e domain.Establishment
		var cat string
		if err := rows.Scan(&e.ID, &e.OrgID, &e.Name, &e.FinessET, &cat); err != nil {
			return nil, fmt.Errorf("scan establishment: %w", err)
		}
		e.Category = domain.Category(cat)
		out = append(out, e)
	}
	return out, mapErr("list establishments", rows.Err())
}

// Establishment by id (ErrNotFound outside the tenant).
func (tx *Tx) Establishment(id uuid.UUID) (domain.Establishment, error) {
	var e domain.Establishment
	var cat string
	err := tx.g.Raw(`SELECT id, org_id, name, finess_et, category FROM establishments WHERE id = ?`, id).Row().
		Scan(&e.ID, &e.OrgID, &e.Name, &e.FinessET, &cat)
	e.Category = domain.Category(cat)
	return e, mapSQL("read establishment", err)
}

// OrganisationByFINESS finds an organisation across tenants: for operator
// commands on an owner connection (RLS hides every row from the app role).
func (db *DB) OrganisationByFINESS(ctx context.Context, finessEJ string) (domain.Organisation, error) {
	var o domain.Organisation
	err := db.sql.QueryRowContext(ctx, `SELECT id, name, finess_ej FROM organisations WHERE finess_ej = $1`, finessEJ).
		Scan(&o.ID, &o.Name, &o.FinessEJ)
	return o, mapSQL("find organisation "+finessEJ, err)
}

// EstablishmentByFINESS finds an establishment across tenants (owner connection).
func (db *DB) EstablishmentByFINESS(ctx context.Context, finessET string) (domain.Establishment, error) {
	var e domain.Establishment
	var cat string
	err := db.sql.QueryRowContext(ctx, `SELECT id, org_id, name, finess_et, category FROM establishments WHERE finess_et = $1`, finessET).
		Scan(&e.ID, &e.OrgID, &e.Name, &e.FinessET, &cat)
	e.Category = domain.Category(cat)
	return e, mapSQL("find establishment "+finessET, err)
}

// mapSQL maps sql.ErrNoRows to domain.ErrNotFound.
func mapSQL(what string, err error) error {
	if err == sql.ErrNoRows {
		return fmt.Errorf("%s: %w", what, domain.ErrNotFound)
	}
	return mapErr(what, err)
}

const usagerColumns = `u.id, u.org_id, u.birth_name, u.used_name, array_to_json(u.first_names)::text, u.used_first_name,
	u.birth_date, u.sex, u.birth_place_code, u.identity_status, u.address, u.postal_code, u.city, u.phone, u.email,
	u.created_at, u.updated_at, u.merged_into, u.sort_key`

type scanner interface{ Scan(dest ...any) error }

func scanUsager(s scanner) (domain.Usager, string, error) {
	var u domain.Usager
	var firstNames, sex, status, key string
	var merged uuid.NullUUID
	err := s.Scan(&u.ID, &u.OrgID, &u.BirthName, &u.UsedName, &firstNames, &u.UsedFirstName, &u.BirthDate, &sex,
		&u.BirthPlaceCode, &status, &u.Address, &u.PostalCode, &u.City, &u.Phone, &u.Email, &u.CreatedAt, &u.UpdatedAt, &merged, &key)
	if err != nil {
		return u, "", err
	}
	u.MergedInto = merged.UUID
	if err := json.Unmarshal([]byte(firstNames), &u.FirstNames); err != nil {
		return u, "", fmt.Errorf("decode first names: %w", err)
	}
	u.Sex, u.IdentityStatus = domain.Sex(sex), domain.IdentityStatus(status)
	u.BirthDate = u.BirthDate.UTC()
	return u, key, nil
}

// CreateUsager inserts u and, when first is not nil, its first stay.
func (tx *Tx) CreateUsager(u *domain.Usager, first *domain.Stay) error {
	if u.ID == uuid.Nil {
		u.ID = NewID()
	}
	u.OrgID = tx.Org
	if u.IdentityStatus == "" {
		u.IdentityStatus = domain.IdentityPROV
	}
	k := u.Keys()
	err := tx.g.Exec(`INSERT INTO usagers (id, org_id, birth_name, used_name, first_names, used_first_name, birth_date, sex,
		birth_place_code, identity_status, address, postal_code, city, phone, email, sort_key, name_key, phonetic_key, first_phonetic)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.OrgID, u.BirthName, u.UsedName, textArray(u.FirstNames), u.UsedFirstName, u.BirthDate, string(u.Sex),
		u.BirthPlaceCode, string(u.IdentityStatus), u.Address, u.PostalCode, u.City, u.Phone, u.Email, u.SortKey(),
		k.NameKey, k.Phonetic, k.FirstPhonetic).Error
	if err != nil {
		return mapErr("create usager", err)
	}
	if first != nil {
		first.UsagerID = u.ID
		return tx.SaveStay(first)
	}
	return nil
}

// UpdateUsager saves the identity traits and contact details of u.
func (tx *Tx) UpdateUsager(u *domain.Usager) error {
	k := u.Keys()
	res := tx.g.Exec(`UPDATE usagers SET birth_name = ?, used_name = ?, first_names = ?, used_first_name = ?, birth_date = ?,
		sex = ?, birth_place_code = ?, address = ?, postal_code = ?, city = ?, phone = ?, email = ?, sort_key = ?,
		name_key = ?, phonetic_key = ?, first_phonetic = ?, updated_at = now()
		WHERE id = ?`,
		u.BirthName, u.UsedName, textArray(u.FirstNames), u.UsedFirstName, u.BirthDate, string(u.Sex), u.BirthPlaceCode,
		u.Address, u.PostalCode, u.City, u.Phone, u.Email, u.SortKey(), k.NameKey, k.Phonetic, k.FirstPhonetic, u.ID)
	return affected("update usager", res)
}

func affected(what string, res *gorm.DB) error {
	if res.Error != nil {
		return mapErr(what, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s: %w", what, domain.ErrNotFound)
	}
	return nil
}

// Usager by id.
func (tx *Tx) Usager(id uuid.UUID) (domain.Usager, error) {
	u, _, err := scanUsager(tx.g.Raw(`SELECT `+usagerColumns+` FROM usagers u WHERE u.id = ?`, id).Row())
	return u, mapSQL("read usager", err)
}

// ListUsagers returns one page of the usagers visible in q.Establishments,
// ordered by name. The query walks the (org_id, sort_key, id) index from the
// keyset position, so a page costs the same wherever it is in the list.
func (tx *Tx) ListUsagers(q domain.UsagerQuery) (domain.UsagerPage, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	if len(q.Establishments) == 0 {
		return domain.UsagerPage{}, nil
	}
	var where []string
	args := []any{}
	stayCond := "s.establishment_id IN ?"
	args = append(args, q.Establishments)
	if q.Establishment != uuid.Nil {
		stayCond += " AND s.establishment_id = ?"
		args = append(args, q.Establishment)
	}
	if q.Status != "" {
		stayCond += " AND s.status = ?"
		args = append(args, string(q.Status))
	}
	where = append(where, "u.merged_into IS NULL", "EXISTS (SELECT 1 FROM stays s WHERE s.usager_id = u.id AND "+stayCond+")")
	if key := domain.SearchKey(q.Search); key != "" {
		// Match the start of the sort key (name) or of any word in it.
		where = append(where, "(u.sort_key LIKE ? OR u.sort_key LIKE ?)")
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(key)
		args = append(args, esc+"%", "% "+esc+"%")
	}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	if key := domain.SearchKey(q.Family); key != "" {
		// The sort key starts with the used name (or the birth name).
		where = append(where, "(u.sort_key LIKE ? OR relais_fold(u.birth_name) LIKE ?)")
		args = append(args, like.Replace(key)+"%", like.Replace(key)+"%")
	}
	if key := domain.SearchKey(q.Given); key != "" {
		where = append(where, "EXISTS (SELECT 1 FROM unnest(u.first_names || u.used_first_name) f WHERE relais_fold(f) LIKE ?)")
		args = append(args, like.Replace(key)+"%")
	}
	if !q.BirthDate.IsZero() {
		where = append(where, "u.birth_date = ?")
		args = append(args, dateArg(q.BirthDate))
	}
	if q.Sex != "" {
		where = append(where, "u.sex = ?")
		args = append(args, string(q.Sex))
	}
	if q.INS != "" {
		where = append(where, "u.identity_status = 'QUAL' AND u.ins_number || u.ins_key = ?")
		args = append(args, q.INS)
	}
	if q.ID != uuid.Nil {
		where = append(where, "u.id = ?")
		args = append(args, q.ID)
	}
	if q.AfterKey != "" || q.AfterID != uuid.Nil {
		where = append(where, "(u.sort_key, u.id) > (?, ?)")
		args = append(args, q.AfterKey, q.AfterID)
	}
	args = append(args, q.Limit+1)
	rows, err := tx.g.Raw(`SELECT `+usagerColumns+` FROM usagers u WHERE `+strings.Join(where, " AND ")+
		` ORDER BY u.sort_key, u.id LIMIT ?`, args...).Rows()
	if err != nil {
		return domain.UsagerPage{}, mapErr("list usagers", err)
	}
	defer rows.Close()
	var page domain.UsagerPage
	ids := []uuid.UUID{}
	for rows.Next() {
		u, key, err := scanUsager(rows)
		if err != nil {
			return page, fmt.Errorf("scan usager: %w", err)
		}
		page.Rows = append(page.Rows, domain.UsagerRow{Usager: u, SortKey: key})
		ids = append(ids, u.ID)
	}
	if err := rows.Err(); err != nil {
		return page, mapErr("list usagers", err)
	}
	if len(page.Rows) > q.Limit {
		page.Rows, page.More, ids = page.Rows[:q.Limit], true, ids[:q.Limit]
	}
	if len(ids) == 0 {
		return page, nil
	}
	// One query for the stays of the whole page (no N+1).
	srows, err := tx.g.Raw(`SELECT s.usager_id, s.establishment_id, e.name, s.status, s.mode,
		COALESCE(s.admission_date, s.planned_entry, s.created_at::date)
		FROM stays s JOIN establishments e ON e.id = s.establishment_id
		WHERE s.usager_id IN ? AND s.establishment_id IN ? AND s.status <> 'cancelled'
		ORDER BY s.usager_id, (s.status = 'discharged'), s.created_at DESC`, ids, q.Establishments).Rows()
	if err != nil {
		return page, mapErr("list stays of page", err)
	}
	defer srows.Close()
	idx := make(map[uuid.UUID]int, len(ids))
	for i, id := range ids {
		idx[id] = i
	}
	for srows.Next() {
		var uid uuid.UUID
		var s domain.StaySummary
		var status, mode string
		if err := srows.Scan(&uid, &s.EstablishmentID, &s.EstablishmentName, &status, &mode, &s.Since); err != nil {
			return page, fmt.Errorf("scan stay: %w", err)
		}
		s.Status, s.Mode = domain.StayStatus(status), domain.Mode(mode)
		page.Rows[idx[uid]].Stays = append(page.Rows[idx[uid]].Stays, s)
	}
	return page, mapErr("list stays of page", srows.Err())
}

const stayColumns = `id, org_id, usager_id, establishment_id, status, mode, planned_entry, admission_date, discharge_date, discharge_reason`

func scanStay(s scanner) (domain.Stay, error) {
	var st domain.Stay
	var status, mode string
	var planned, admitted, discharged sql.NullTime
	if err := s.Scan(&st.ID, &st.OrgID, &st.UsagerID, &st.EstablishmentID, &status, &mode, &planned, &admitted, &discharged, &st.DischargeReason); err != nil {
		return st, err
	}
	st.Status, st.Mode = domain.StayStatus(status), domain.Mode(mode)
	st.PlannedEntry, st.AdmissionDate, st.DischargeDate = nullDate(planned), nullDate(admitted), nullDate(discharged)
	return st, nil
}

func nullDate(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func dateArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format("2006-01-02")
}

// Stays of a usager, newest first.
func (tx *Tx) Stays(usager uuid.UUID) ([]domain.Stay, error) {
	rows, err := tx.g.Raw(`SELECT `+stayColumns+` FROM stays WHERE usager_id = ? ORDER BY created_at DESC, id DESC`, usager).Rows()
	if err != nil {
		return nil, mapErr("list stays", err)
	}
	defer rows.Close()
	var out []domain.Stay
	for rows.Next() {
		s, err := scanStay(rows)
		if err != nil {
			return nil, fmt.Errorf("scan stay: %w", err)
		}
		out = append(out, s)
	}
	return out, mapErr("list stays", rows.Err())
}

// Stay by id.
func (tx *Tx) Stay(id uuid.UUID) (domain.Stay, error) {
	s, err := scanStay(tx.g.Raw(`SELECT `+stayColumns+` FROM stays WHERE id = ?`, id).Row())
	return s, mapSQL("read stay", err)
}

// SaveStay inserts s when it has no id, updates it otherwise.
func (tx *Tx) SaveStay(s *domain.Stay) error {
	s.OrgID = tx.Org
	if s.ID == uuid.Nil {
		s.ID = NewID()
		return mapErr("create stay", tx.g.Exec(`INSERT INTO stays (`+stayColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.OrgID, s.UsagerID, s.EstablishmentID, string(s.Status), string(s.Mode),
			dateArg(s.PlannedEntry), dateArg(s.AdmissionDate), dateArg(s.DischargeDate), s.DischargeReason).Error)
	}
	return affected("update stay", tx.g.Exec(`UPDATE stays SET status = ?, mode = ?, planned_entry = ?, admission_date = ?,
		discharge_date = ?, discharge_reason = ?, updated_at = now() WHERE id = ?`,
		string(s.Status), string(s.Mode), dateArg(s.PlannedEntry), dateArg(s.AdmissionDate), dateArg(s.DischargeDate),
		s.DischargeReason, s.ID))
}

const contactColumns = `id, usager_id, last_name, first_name, relationship, array_to_json(roles)::text, legal_protection, phone, email, address`

func scanContact(s scanner) (domain.Contact, error) {
	var c domain.Contact
	var roles string
	if err := s.Scan(&c.ID, &c.UsagerID, &c.LastName, &c.FirstName, &c.Relationship, &roles, &c.LegalProtection, &c.Phone, &c.Email, &c.Address); err != nil {
		return c, err
	}
	var rs []string
	if err := json.Unmarshal([]byte(roles), &rs); err != nil {
		return c, fmt.Errorf("decode contact roles: %w", err)
	}
	for _, r := range rs {
		c.Roles = append(c.Roles, domain.ContactRole(r))
	}
	return c, nil
}

// Contacts of a usager: personne de confiance and legal representatives first.
func (tx *Tx) Contacts(usager uuid.UUID) ([]domain.Contact, error) {
	rows, err := tx.g.Raw(`SELECT `+contactColumns+` FROM contacts WHERE usager_id = ?
		ORDER BY ('personne_de_confiance' = ANY(roles)) DESC, ('representant_legal' = ANY(roles)) DESC, last_name, first_name, id`, usager).Rows()
	if err != nil {
		return nil, mapErr("list contacts", err)
	}
	defer rows.Close()
	var out []domain.Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("scan contact: %w", err)
		}
		out = append(out, c)
	}
	return out, mapErr("list contacts", rows.Err())
}

// Contact by id.
func (tx *Tx) Contact(id uuid.UUID) (domain.Contact, error) {
	c, err := scanContact(tx.g.Raw(`SELECT `+contactColumns+` FROM contacts WHERE id = ?`, id).Row())
	return c, mapSQL("read contact", err)
}

// SaveContact inserts or updates c.
func (tx *Tx) SaveContact(c *domain.Contact) error {
	roles := make([]string, len(c.Roles))
	for i, r := range c.Roles {
		roles[i] = string(r)
	}
	if c.ID == uuid.Nil {
		c.ID = NewID()
		return mapErr("create contact", tx.g.Exec(`INSERT INTO contacts (id, org_id, usager_id, last_name, first_name, relationship,
			roles, legal_protection, phone, email, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, tx.Org, c.UsagerID, c.LastName, c.FirstName, c.Relationship, textArray(roles), c.LegalProtection, c.Phone, c.Email, c.Address).Error)
	}
	return affected("update contact", tx.g.Exec(`UPDATE contacts SET last_name = ?, first_name = ?, relationship = ?, roles = ?,
		legal_protection = ?, phone = ?, email = ?, address = ?, updated_at = now() WHERE id = ? AND usager_id = ?`,
		c.LastName, c.FirstName, c.Relationship, textArray(roles), c.LegalProtection, c.Phone, c.Email, c.Address, c.ID, c.UsagerID))
}

// DeleteContact removes a contact.
func (tx *Tx) DeleteContact(id uuid.UUID) error {
	return affected("delete contact", tx.g.Exec(`DELETE FROM contacts WHERE id = ?`, id))
}

const consentColumns = `id, usager_id, scope, granted, given_on, given_by, given_by_name, withdrawn_on, recorded_by`

func scanConsent(s scanner) (domain.Consent, error) {
	var c domain.Consent
	var scope string
	var withdrawn sql.NullTime
	if err := s.Scan(&c.ID, &c.UsagerID, &scope, &c.Granted, &c.GivenOn, &c.GivenBy, &c.GivenByName, &withdrawn, &c.RecordedBy); err != nil {
		return c, err
	}
	c.Scope, c.WithdrawnOn, c.GivenOn = domain.ConsentScope(scope), nullDate(withdrawn), c.GivenOn.UTC()
	return c, nil
}

// Consents of a usager, newest first.
func (tx *Tx) Consents(usager uuid.UUID) ([]domain.Consent, error) {
	rows, err := tx.g.Raw(`SELECT `+consentColumns+` FROM consents WHERE usager_id = ? ORDER BY given_on DESC, created_at DESC`, usager).Rows()
	if err != nil {
		return nil, mapErr("list consents", err)
	}
	defer rows.Close()
	var out []domain.Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, fmt.Errorf("scan consent: %w", err)
		}
		out = append(out, c)
	}
	return out, mapErr("list consents", rows.Err())
}

// Consent by id.
func (tx *Tx) Consent(id uuid.UUID) (domain.Consent, error) {
	c, err := scanConsent(tx.g.Raw(`SELECT `+consentColumns+` FROM consents WHERE id = ?`, id).Row())
	return c, mapSQL("read consent", err)
}

// SaveConsent inserts c, or records its withdrawal (a consent is never
// rewritten: a new decision is a new row).
func (tx *Tx) SaveConsent(c *domain.Consent) error {
	if c.ID == uuid.Nil {
		c.ID = NewID()
		return mapErr("create consent", tx.g.Exec(`INSERT INTO consents (id, org_id, usager_id, scope, granted, given_on, given_by,
			given_by_name, withdrawn_on, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, tx.Org, c.UsagerID, string(c.Scope), c.Granted, dateArg(c.GivenOn), c.GivenBy, c.GivenByName,
			dateArg(c.WithdrawnOn), c.RecordedBy).Error)
	}
	return affected("withdraw consent", tx.g.Exec(`UPDATE consents SET withdrawn_on = ? WHERE id = ? AND withdrawn_on IS NULL`,
		dateArg(c.WithdrawnOn), c.ID))
}

const noteColumns = `id, usager_id, section, author_id, author_name, body, written_at, validated_by, validated_by_name, validated_at`

func scanNote(s scanner) (domain.Note, error) {
	var n domain.Note
	var section string
	var validatedBy uuid.NullUUID
	var validatedAt sql.NullTime
	if err := s.Scan(&n.ID, &n.UsagerID, &section, &n.AuthorID, &n.AuthorName, &n.Body, &n.WrittenAt, &validatedBy, &n.ValidatedByName, &validatedAt); err != nil {
		return n, err
	}
	n.Section, n.ValidatedBy = domain.Section(section), validatedBy.UUID
	if validatedAt.Valid {
		n.ValidatedAt = validatedAt.Time
	}
	return n, nil
}

// Notes of one section of a usager's record, newest first (at most 200: the
// journal is paged by later issues' structured views).
func (tx *Tx) Notes(usager uuid.UUID, section domain.Section) ([]domain.Note, error) {
	rows, err := tx.g.Raw(`SELECT `+noteColumns+` FROM record_notes WHERE usager_id = ? AND section = ?
		ORDER BY written_at DESC, id DESC LIMIT 200`, usager, string(section)).Rows()
	if err != nil {
		return nil, mapErr("list notes", err)
	}
	defer rows.Close()
	var out []domain.Note
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, fmt.Errorf("scan note: %w", err)
		}
		out = append(out, n)
	}
	return out, mapErr("list notes", rows.Err())
}

// Note by id.
func (tx *Tx) Note(id uuid.UUID) (domain.Note, error) {
	n, err := scanNote(tx.g.Raw(`SELECT `+noteColumns+` FROM record_notes WHERE id = ?`, id).Row())
	return n, mapSQL("read note", err)
}

// SaveNote inserts n, or records its validation (a note's text is never
// rewritten once written).
func (tx *Tx) SaveNote(n *domain.Note) error {
	if n.ID == uuid.Nil {
		n.ID = NewID()
		if n.WrittenAt.IsZero() {
			n.WrittenAt = time.Now().UTC()
		}
		return mapErr("create note", tx.g.Exec(`INSERT INTO record_notes (id, org_id, usager_id, section, author_id, author_name, body, written_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, tx.Org, n.UsagerID, string(n.Section), n.AuthorID, n.AuthorName, n.Body, n.WrittenAt).Error)
	}
	return affected("validate note", tx.g.Exec(`UPDATE record_notes SET validated_by = ?, validated_by_name = ?, validated_at = ?
		WHERE id = ? AND validated_at IS NULL`, n.ValidatedBy, n.ValidatedByName, n.ValidatedAt, n.ID))
}

// UsagerEstablishments lists the establishments where the usager has a stay
// in any status: where the record is visible.
func (tx *Tx) UsagerEstablishments(usager uuid.UUID) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	rows, err := tx.g.Raw(`SELECT DISTINCT establishment_id FROM stays WHERE usager_id = ? ORDER BY establishment_id`, usager).Rows()
	if err != nil {
		return nil, mapErr("usager establishments", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id uuid.UUID
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan establishment id: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, mapErr("usager establishments", rows.Err())
}
