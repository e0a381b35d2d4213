package access

import (
	"slices"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// Principal is the authenticated user of a request: who they are, in which
// organisation, and the roles they hold in its establishments.
type Principal struct {
	UserID      uuid.UUID
	OrgID       uuid.UUID
	Username    string
	DisplayName string
	// CSRFToken is the session's anti-forgery token, to embed in forms and
	// compare (in constant time) with the one posted back.
	CSRFToken   string
	Memberships []domain.Membership
}

// RolesIn returns the distinct roles held in an establishment, in membership
// order.
func (p *Principal) RolesIn(estab uuid.UUID) []domain.Role {
	var out []domain.Role
	for _, m := range p.Memberships {
		if m.EstablishmentID == estab && !slices.Contains(out, m.Role) {
			out = append(out, m.Role)
		}
	}
	return out
}

// Establishments returns the distinct establishments where the principal
// holds a role, in order of first membership.
func (p *Principal) Establishments() []uuid.UUID {
	var out []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, m := range p.Memberships {
		if !seen[m.EstablishmentID] {
			seen[m.EstablishmentID] = true
			out = append(out, m.EstablishmentID)
		}
	}
	return out
}
