package domain

import (
	"regexp"
	"time"

	"github.com/google/uuid"
)

// Organisation is an organisme gestionnaire (FINESS juridique).
type Organisation struct {
	ID       uuid.UUID
	Name     string
	FinessEJ string
}

// Category of an establishment or service.
type Category string

// Establishment categories.
const (
	CatEHPAD  Category = "EHPAD"
	CatSSIAD  Category = "SSIAD"
	CatSAAD   Category = "SAAD"
	CatSPASAD Category = "SPASAD"
	CatDITEP  Category = "DITEP"
	CatIME    Category = "IME"
	CatSESSAD Category = "SESSAD"
	CatFoyer  Category = "FOYER"
	CatFAM    Category = "FAM"
	CatMAS    Category = "MAS"
	CatESAT   Category = "ESAT"
	CatRA     Category = "RESIDENCE_AUTONOMIE"
	CatAutre  Category = "AUTRE"
)

// AllCategories in display order.
var AllCategories = []Category{CatEHPAD, CatSSIAD, CatSAAD, CatSPASAD, CatDITEP, CatIME, CatSESSAD, CatFoyer, CatFAM, CatMAS, CatESAT, CatRA, CatAutre}

// Label is the French name of the category.
func (c Category) Label() string {
	switch c {
	case CatFoyer:
		return "Foyer"
	case CatRA:
		return "Résidence autonomie"
	case CatAutre:
		return "Autre"
	}
	return string(c)
}

// Valid reports whether c is known.
func (c Category) Valid() bool {
	for _, k := range AllCategories {
		if k == c {
			return true
		}
	}
	return false
}

// Establishment is an ESMS site or service (FINESS géographique).
type Establishment struct {
	ID       uuid.UUID
	OrgID    uuid.UUID
	Name     string
	FinessET string
	Category Category
}

var finessRe = regexp.MustCompile(`^[0-9][0-9AB][0-9]{7}$`)

// ValidFINESS checks the shape of a FINESS number (9 characters, the
// department may be 2A or 2B). The Luhn key is not checked: published test
// numbers do not all carry it.
func ValidFINESS(s string) bool { return finessRe.MatchString(s) }

// User is a local account.
type User struct {
	ID          uuid.UUID
	OrgID       uuid.UUID
	Username    string
	DisplayName string
	Active      bool
	CreatedAt   time.Time
}

// Membership is a role held by a user in an establishment.
type Membership struct {
	UserID          uuid.UUID
	EstablishmentID uuid.UUID
	Role            Role
}

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// ValidUsername checks a login name: lower-case letters, digits, dot, dash, underscore.
func ValidUsername(s string) bool { return usernameRe.MatchString(s) }
