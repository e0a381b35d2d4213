package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/store"
)

// policyAdapter is casbin's persist.Adapter over the store's casbin_rule
// methods, for the matrix of one organisation. It replaces gorm-adapter,
// which would bring the SQLite and MySQL drivers into the binary.
//
// Casbin's Adapter interface has no context, so the adapter carries the one
// of the call that made it: each adapter lives for one load (Reload,
// SetMatrix), never beyond.
type policyAdapter struct {
	ctx context.Context
	db  *store.DB
	org uuid.UUID
	// preloaded lines, from a bulk reload that read every organisation's
	// lines in one query; when nil the adapter reads the organisation's.
	preloaded [][]string
}

var _ persist.Adapter = (*policyAdapter)(nil)

// LoadPolicy loads the organisation's lines into m.
func (a *policyAdapter) LoadPolicy(m model.Model) error {
	lines := a.preloaded
	if lines == nil {
		var err error
		if lines, err = a.db.OrgPolicyRules(a.ctx, a.org); err != nil {
			return err
		}
	}
	for _, l := range lines {
		if err := persist.LoadPolicyArray(l, m); err != nil {
			return fmt.Errorf("load policy line %q: %w", l, err)
		}
	}
	return nil
}

// SavePolicy replaces the organisation's lines with m's.
func (a *policyAdapter) SavePolicy(m model.Model) error {
	rules, err := m.GetPolicy("p", "p")
	if err != nil {
		return err
	}
	return a.db.ReplaceOrgPolicies(a.ctx, a.org, withPtype("p", rules))
}

// AddPolicy stores one line (casbin's auto-save).
func (a *policyAdapter) AddPolicy(_ string, ptype string, rule []string) error {
	return a.db.AddPolicyRules(a.ctx, withPtype(ptype, [][]string{rule}))
}

// RemovePolicy deletes one line (casbin's auto-save).
func (a *policyAdapter) RemovePolicy(_ string, ptype string, rule []string) error {
	return a.db.RemovePolicyRules(a.ctx, withPtype(ptype, [][]string{rule}))
}

// RemoveFilteredPolicy is not supported: matrix edits replace an
// organisation's lines as a whole (Authorizer.SetMatrix).
func (a *policyAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errors.New("access: filtered policy removal is not supported; use Authorizer.SetMatrix")
}

func withPtype(ptype string, rules [][]string) [][]string {
	out := make([][]string, len(rules))
	for i, r := range rules {
		out[i] = append([]string{ptype}, r...)
	}
	return out
}
