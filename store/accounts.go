package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// LoginRecord is what a login needs to know before the tenant is known.
type LoginRecord struct {
	UserID       uuid.UUID
	OrgID        uuid.UUID
	PasswordHash string
	Active       bool
}

// LookupLogin finds an account by its exact login name across organisations,
// through the SECURITY DEFINER function relais_login_lookup: the application
// role cannot read the users table without a tenant, and the function reveals
// only the row of the name asked for.
func (db *DB) LookupLogin(ctx context.Context, username string) (LoginRecord, error) {
	var r LoginRecord
	err := db.gorm.WithContext(ctx).Raw(`SELECT id, org_id, password_hash, active FROM relais_login_lookup(?)`, username).
		Row().Scan(&r.UserID, &r.OrgID, &r.PasswordHash, &r.Active)
	return r, mapSQL("look up login", err)
}

// validateUser checks what the database would otherwise refuse with a bare
// constraint error, so that forms can show a French message on the field.
func validateUser(u *domain.User) error {
	var v domain.ValidationError
	if !domain.ValidUsername(u.Username) {
		v.Add("username", "L'identifiant doit compter de 2 à 63 caractères : lettres minuscules, chiffres, point, tiret ou tiret bas, en commençant par une lettre ou un chiffre.")
	}
	if u.DisplayName == "" {
		v.Add("display_name", "Le nom affiché est obligatoire.")
	}
	return v.Err()
}

// checkOrg refuses a value that names another organisation than the
// transaction's: RLS would refuse it too, but with an unhelpful error.
func (tx *Tx) checkOrg(what string, org uuid.UUID) error {
	if org != uuid.Nil && org != tx.Org {
		return fmt.Errorf("%s: organisation %s outside the transaction's %s: %w", what, org, tx.Org, domain.ErrForbidden)
	}
	return nil
}

const userColumns = `id, org_id, username, display_name, active, created_at`

func scanUser(s scanner) (domain.User, error) {
	var u domain.User
	err := s.Scan(&u.ID, &u.OrgID, &u.Username, &u.DisplayName, &u.Active, &u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// User by id (ErrNotFound outside the tenant).
func (tx *Tx) User(id uuid.UUID) (domain.User, error) {
	u, err := scanUser(tx.g.Raw(`SELECT `+userColumns+` FROM users WHERE id = ?`, id).Row())
	return u, mapSQL("read user", err)
}

// Users of the tenant, by display name.
func (tx *Tx) Users() ([]domain.User, error) {
	rows, err := tx.g.Raw(`SELECT ` + userColumns + ` FROM users ORDER BY display_name, username`).Rows()
	if err != nil {
		return nil, mapErr("list users", err)
	}
	defer rows.Close()
	var out []domain.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, u)
	}
	return out, mapErr("list users", rows.Err())
}

// CreateUser inserts u with the given password hash (access.HashPassword).
// u.Active is stored as given: set it to true for a usable account. u.ID is
// assigned when nil, u.OrgID and u.CreatedAt are filled in.
func (tx *Tx) CreateUser(u *domain.User, passwordHash string) error {
	if err := tx.checkOrg("create user", u.OrgID); err != nil {
		return err
	}
	if err := validateUser(u); err != nil {
		return err
	}
	if passwordHash == "" {
		return fmt.Errorf("create user %s: empty password hash", u.Username)
	}
	if u.ID == uuid.Nil {
		u.ID = NewID()
	}
	u.OrgID = tx.Org
	err := tx.g.Raw(`INSERT INTO users (id, org_id, username, display_name, password_hash, active)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING created_at`,
		u.ID, u.OrgID, u.Username, u.DisplayName, passwordHash, u.Active).Row().Scan(&u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return mapSQL("create user "+u.Username, err)
}

// UpdateUser saves u's login name, display name and active flag.
func (tx *Tx) UpdateUser(u *domain.User) error {
	if err := tx.checkOrg("update user", u.OrgID); err != nil {
		return err
	}
	if err := validateUser(u); err != nil {
		return err
	}
	res := tx.g.Exec(`UPDATE users SET username = ?, display_name = ?, active = ? WHERE id = ?`,
		u.Username, u.DisplayName, u.Active, u.ID)
	if res.Error != nil {
		return mapErr("update user "+u.Username, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("update user %s: %w", u.ID, domain.ErrNotFound)
	}
	return nil
}

// SetPasswordHash replaces a user's password hash. Sessions are left alone:
// callers resetting a password after a compromise also call
// DeleteUserSessions.
func (tx *Tx) SetPasswordHash(user uuid.UUID, hash string) error {
	if hash == "" {
		return fmt.Errorf("set password of %s: empty hash", user)
	}
	res := tx.g.Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, hash, user)
	if res.Error != nil {
		return mapErr("set password", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("set password of %s: %w", user, domain.ErrNotFound)
	}
	return nil
}

func (tx *Tx) memberships(what, where string, args ...any) ([]domain.Membership, error) {
	rows, err := tx.g.Raw(`SELECT user_id, establishment_id, role FROM memberships `+where+
		` ORDER BY user_id, establishment_id, role`, args...).Rows()
	if err != nil {
		return nil, mapErr(what, err)
	}
	defer rows.Close()
	var out []domain.Membership
	for rows.Next() {
		var m domain.Membership
		var role string
		if err := rows.Scan(&m.UserID, &m.EstablishmentID, &role); err != nil {
			return nil, fmt.Errorf("scan membership: %w", err)
		}
		m.Role = domain.Role(role)
		out = append(out, m)
	}
	return out, mapErr(what, rows.Err())
}

// Memberships of one user, by establishment then role.
func (tx *Tx) Memberships(user uuid.UUID) ([]domain.Membership, error) {
	return tx.memberships("list memberships", `WHERE user_id = ?`, user)
}

// AllMemberships of the tenant, by user, establishment and role.
func (tx *Tx) AllMemberships() ([]domain.Membership, error) {
	return tx.memberships("list all memberships", ``)
}

// AddMembership gives m.Role to m.UserID in m.EstablishmentID. Both must be
// of the tenant (ErrNotFound otherwise); an existing one is ErrConflict.
func (tx *Tx) AddMembership(m domain.Membership) error {
	if !m.Role.Valid() {
		v := &domain.ValidationError{}
		v.Add("role", fmt.Sprintf("Rôle inconnu : %q.", m.Role))
		return v
	}
	return mapErr("add membership", tx.g.Exec(
		`INSERT INTO memberships (org_id, user_id, establishment_id, role) VALUES (?, ?, ?, ?)`,
		tx.Org, m.UserID, m.EstablishmentID, string(m.Role)).Error)
}

// RemoveMembership withdraws a role; ErrNotFound when it was not held.
func (tx *Tx) RemoveMembership(m domain.Membership) error {
	res := tx.g.Exec(`DELETE FROM memberships WHERE user_id = ? AND establishment_id = ? AND role = ?`,
		m.UserID, m.EstablishmentID, string(m.Role))
	if res.Error != nil {
		return mapErr("remove membership", res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("remove membership: %w", domain.ErrNotFound)
	}
	return nil
}

// The access layer codes against domain.AccountTx; keep Tx satisfying it.
var _ domain.AccountTx = (*Tx)(nil)
