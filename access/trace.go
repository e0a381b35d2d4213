package access

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
)

// Trace appends to the access trail that p, acting as role, did a on s,
// about usager (uuid.Nil when not about one) in estab (uuid.Nil when not
// tied to one). Call it in the transaction of the access it records, so
// that the access and its trace commit together or not at all; a trace that
// fails must fail the request.
func Trace(tx domain.AccountTx, p *Principal, role domain.Role, estab, usager uuid.UUID, s domain.Section, a domain.Action, detail string) error {
	if p == nil {
		return errors.New("trace: no principal")
	}
	// The store fills the organisation from the transaction; a principal of
	// another organisation here is a wiring bug worth stopping on.
	if t, ok := tx.(interface{ OrgID() uuid.UUID }); ok && t.OrgID() != p.OrgID {
		return fmt.Errorf("trace: principal of organisation %s in a transaction of %s: %w", p.OrgID, t.OrgID(), domain.ErrForbidden)
	}
	e := domain.TrailEntry{
		OrgID:           p.OrgID,
		UserID:          p.UserID,
		Username:        p.Username,
		Role:            string(role),
		EstablishmentID: estab,
		UsagerID:        usager,
		Section:         s,
		Action:          a,
		Detail:          detail,
	}
	if err := tx.AppendTrail(&e); err != nil {
		return fmt.Errorf("trace %s %s: %w", s, a, err)
	}
	return nil
}
