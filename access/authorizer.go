package access

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	casbin "github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// casbinModel: a request (role, organisation, section, action) is allowed
// when a policy line says exactly that. Roles are subjects directly (the
// user→role link is the memberships table, per establishment), and
// patient-level conditions (admitted here, delegation) are checked in Go and
// SQL, so the model stays string-only and exact.
const casbinModel = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.sub == p.sub && r.dom == p.dom && r.obj == p.obj && r.act == p.act
`

// Authorizer answers "may this role do this action on this section in this
// organisation" from the role matrices stored in casbin_rule.
//
// Each organisation has its own SyncedEnforcer (casbin's cache off): casbin
// evaluates the matcher against every line, so one enforcer per organisation
// keeps an answer's cost at one organisation's ~100 lines however many
// organisations share the database. Enforcers are never modified: a change
// (SetMatrix, SeedDefaults, Reload) builds a new one and swaps it in before
// returning, so a revoked right is revoked at once on this instance. That is
// also why answers can be memoised per enforcer (see orgMatrix) without the
// stale-cache trap of casbin's CachedEnforcer.
//
// Other instances learn of a change at their next Reload: a deployment of
// several instances must run StartReloader (or call Reload) with a short
// period, which bounds how long a revoked right survives there.
type Authorizer struct {
	db *store.DB

	// write serialises the operations that read the database and swap
	// enforcers, so that a slow Reload cannot put back lines that a
	// SetMatrix finished replacing meanwhile.
	write sync.Mutex

	mu   sync.RWMutex
	orgs map[uuid.UUID]*orgMatrix
}

// orgMatrix is one organisation's matrix as loaded: an enforcer that is
// never modified after construction and the answers it gave. Evaluating the
// matcher over ~100 lines costs tens of microseconds, and a page may ask
// dozens of times; the memo dies with the enforcer when the matrix changes.
type orgMatrix struct {
	e       *casbin.SyncedEnforcer
	answers sync.Map // request → bool
}

type request struct {
	role   domain.Role
	s      domain.Section
	action domain.Action
}

func (m *orgMatrix) allowed(org uuid.UUID, r request) bool {
	if v, ok := m.answers.Load(r); ok {
		return v.(bool)
	}
	ok, err := m.e.Enforce(string(r.role), org.String(), string(r.s), string(r.action))
	if err != nil {
		return false // not memoised: an error is no answer
	}
	// Only known values are memoised, so that the memo stays bounded
	// (roles × sections × actions) whatever callers ask.
	if r.role.Valid() && r.s.Valid() && r.action.Valid() {
		m.answers.Store(r, ok)
	}
	return ok
}

// NewAuthorizer loads every organisation's matrix from db.
func NewAuthorizer(ctx context.Context, db *store.DB) (*Authorizer, error) {
	a := &Authorizer{db: db, orgs: map[uuid.UUID]*orgMatrix{}}
	if err := a.Reload(ctx); err != nil {
		return nil, err
	}
	return a, nil
}

func newEnforcer(ad *policyAdapter) (*casbin.SyncedEnforcer, error) {
	m, err := model.NewModelFromString(casbinModel)
	if err != nil {
		return nil, fmt.Errorf("casbin model: %w", err)
	}
	// The constructor loads the policy through the adapter.
	e, err := casbin.NewSyncedEnforcer(m, ad)
	if err != nil {
		return nil, fmt.Errorf("load habilitations of %s: %w", ad.org, err)
	}
	return e, nil
}

// Reload rereads every organisation's matrix (one query) and replaces the
// enforcers. On error the previous matrices stay in force.
func (a *Authorizer) Reload(ctx context.Context) error {
	a.write.Lock()
	defer a.write.Unlock()
	rules, err := a.db.PolicyRules(ctx)
	if err != nil {
		return fmt.Errorf("reload habilitations: %w", err)
	}
	// Only matrix lines ("p", role, org, section, action) count; anything
	// else in casbin_rule is not ours to interpret.
	byOrg := map[uuid.UUID][][]string{}
	for _, r := range rules {
		if len(r) != 5 || r[0] != "p" {
			continue
		}
		org, err := uuid.Parse(r[2])
		if err != nil {
			continue
		}
		byOrg[org] = append(byOrg[org], r)
	}
	fresh := make(map[uuid.UUID]*orgMatrix, len(byOrg))
	for org, lines := range byOrg {
		e, err := newEnforcer(&policyAdapter{ctx: ctx, db: a.db, org: org, preloaded: lines})
		if err != nil {
			return err
		}
		fresh[org] = &orgMatrix{e: e}
	}
	a.mu.Lock()
	a.orgs = fresh
	a.mu.Unlock()
	return nil
}

// reloadOrg rereads one organisation's matrix. Called with a.write held. If
// it fails the organisation's enforcer is dropped (everything refused until
// the next successful load): after a committed change, answering from the
// old matrix could keep a revoked right alive.
func (a *Authorizer) reloadOrg(ctx context.Context, org uuid.UUID) error {
	e, err := newEnforcer(&policyAdapter{ctx: ctx, db: a.db, org: org})
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil {
		delete(a.orgs, org)
		return err
	}
	a.orgs[org] = &orgMatrix{e: e}
	return nil
}

// StartReloader reloads every period until ctx ends, for deployments with
// several instances (see Authorizer). Failures are logged and the previous
// matrices kept.
func (a *Authorizer) StartReloader(ctx context.Context, every time.Duration) {
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := a.Reload(ctx); err != nil && ctx.Err() == nil {
					slog.WarnContext(ctx, "reload habilitations", "err", err)
				}
			}
		}
	}()
}

func (a *Authorizer) matrix(org uuid.UUID) *orgMatrix {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.orgs[org]
}

// Allowed reports whether role may do act on s in org.
func (a *Authorizer) Allowed(org uuid.UUID, role domain.Role, s domain.Section, act domain.Action) bool {
	m := a.matrix(org)
	if m == nil {
		return false
	}
	return m.allowed(org, request{role: role, s: s, action: act})
}

// Can reports whether p may do act on s in an establishment, and through
// which of the roles p holds there (the first that allows it, in membership
// order): the role to write in the trail.
func (a *Authorizer) Can(p *Principal, estab uuid.UUID, s domain.Section, act domain.Action) (domain.Role, bool) {
	if p == nil {
		return "", false
	}
	for _, r := range p.RolesIn(estab) {
		if a.Allowed(p.OrgID, r, s, act) {
			return r, true
		}
	}
	return "", false
}

// CanInAny reports the first of estabs (in the order given) where p may do
// act on s, with the role that allows it. An empty list allows nothing.
func (a *Authorizer) CanInAny(p *Principal, estabs []uuid.UUID, s domain.Section, act domain.Action) (uuid.UUID, domain.Role, bool) {
	for _, e := range estabs {
		if r, ok := a.Can(p, e, s, act); ok {
			return e, r, true
		}
	}
	return uuid.Nil, "", false
}

// Matrix returns org's grants in display order (roles, sections, actions as
// listed in domain).
func (a *Authorizer) Matrix(org uuid.UUID) []domain.Grant {
	m := a.matrix(org)
	if m == nil {
		return nil
	}
	lines, err := m.e.GetPolicy()
	if err != nil {
		return nil
	}
	var out []domain.Grant
	for _, l := range lines {
		if len(l) == 4 && l[1] == org.String() {
			out = append(out, domain.Grant{Role: domain.Role(l[0]), Section: domain.Section(l[2]), Action: domain.Action(l[3])})
		}
	}
	sortGrants(out)
	return out
}

func sortGrants(gs []domain.Grant) {
	rank := func(i int) int {
		if i < 0 {
			return 1 << 30 // unknown values last
		}
		return i
	}
	slices.SortStableFunc(gs, func(x, y domain.Grant) int {
		if c := rank(slices.Index(domain.AllRoles, x.Role)) - rank(slices.Index(domain.AllRoles, y.Role)); c != 0 {
			return c
		}
		if c := rank(slices.Index(domain.AllSections, x.Section)) - rank(slices.Index(domain.AllSections, y.Section)); c != 0 {
			return c
		}
		return rank(slices.Index(domain.AllActions, x.Action)) - rank(slices.Index(domain.AllActions, y.Action))
	})
}

// grantRules validates grants and turns them into org's policy lines,
// without duplicates.
func grantRules(org uuid.UUID, grants []domain.Grant) ([][]string, error) {
	v := &domain.ValidationError{}
	seen := map[domain.Grant]bool{}
	keepsSettings := false
	var rules [][]string
	for _, g := range grants {
		switch {
		case !g.Role.Valid():
			v.Add("matrix", fmt.Sprintf("Rôle inconnu : %q.", g.Role))
		case !g.Section.Valid():
			v.Add("matrix", fmt.Sprintf("Section inconnue : %q.", g.Section))
		case !g.Action.Valid():
			v.Add("matrix", fmt.Sprintf("Action inconnue : %q.", g.Action))
		}
		if seen[g] {
			continue
		}
		seen[g] = true
		if g.Section == domain.SectionSettings && g.Action == domain.ActionWrite {
			keepsSettings = true
		}
		rules = append(rules, []string{"p", string(g.Role), org.String(), string(g.Section), string(g.Action)})
	}
	if !keepsSettings {
		v.Add("matrix", "Au moins un rôle doit garder le droit « Paramétrage : Écrire » : sans lui, plus personne ne pourrait modifier les habilitations.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return rules, nil
}

// SetMatrix replaces org's role matrix. It refuses unknown roles, sections
// or actions, and a matrix in which no role can write settings any more (the
// administrator would lock everyone out of this screen), with a
// *domain.ValidationError on field "matrix". The new matrix is in force on
// this instance when SetMatrix returns.
func (a *Authorizer) SetMatrix(ctx context.Context, org uuid.UUID, grants []domain.Grant) error {
	rules, err := grantRules(org, grants)
	if err != nil {
		return err
	}
	a.write.Lock()
	defer a.write.Unlock()
	if err := a.db.ReplaceOrgPolicies(ctx, org, rules); err != nil {
		return fmt.Errorf("save habilitations: %w", err)
	}
	if err := a.reloadOrg(ctx, org); err != nil {
		return fmt.Errorf("habilitations saved but not reloaded: %w", err)
	}
	return nil
}

// SeedDefaults gives org domain.DefaultMatrix when it has no matrix yet; an
// existing matrix, even edited, is kept. Safe to call at every start.
func (a *Authorizer) SeedDefaults(ctx context.Context, org uuid.UUID) error {
	rules, err := grantRules(org, domain.DefaultMatrix())
	if err != nil {
		return fmt.Errorf("default matrix: %w", err)
	}
	a.write.Lock()
	defer a.write.Unlock()
	if _, err := a.db.InitOrgPolicies(ctx, org, rules); err != nil {
		return fmt.Errorf("seed habilitations: %w", err)
	}
	return a.reloadOrg(ctx, org)
}
