package demo

import (
	"reflect"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
)

// The demo is generated, not random: two calls give the same people, and
// every one of them passes the parsers the forms use.
func TestPeopleAreDeterministicAndValid(t *testing.T) {
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, o := range organisations() {
		if !domain.ValidFINESS(o.FINESS) {
			t.Errorf("organisation %s: FINESS %q has not the right shape", o.Name, o.FINESS)
		}
		a, b := people(o.FINESS), people(o.FINESS)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: two generations differ", o.Name)
		}
		names := map[string]bool{}
		for i, p := range a {
			u, err := p.identity.Parse(today)
			if err != nil {
				t.Errorf("%s #%d: identity: %v", o.Name, i, err)
				continue
			}
			if names[u.SortKey()] {
				t.Errorf("%s #%d: two usagers named %s", o.Name, i, u.SortKey())
			}
			names[u.SortKey()] = true
			if len(p.stays) == 0 || len(p.contacts) == 0 {
				t.Errorf("%s #%d: %d stays, %d contacts; want at least one of each", o.Name, i, len(p.stays), len(p.contacts))
			}
			for _, c := range p.contacts {
				if _, err := c.Parse(); err != nil {
					t.Errorf("%s #%d: contact %s: %v", o.Name, i, c.LastName, err)
				}
			}
			for _, c := range p.consents {
				if _, err := c.input.Parse(today); err != nil {
					t.Errorf("%s #%d: consent: %v", o.Name, i, err)
				}
			}
		}
	}
}

func TestAccountsAreValidAndPlaced(t *testing.T) {
	known := map[string]string{}
	for _, o := range organisations() {
		for _, e := range o.Establishments {
			if !domain.ValidFINESS(e.FINESS) || !e.Category.Valid() {
				t.Errorf("establishment %s: FINESS %q, category %q", e.Name, e.FINESS, e.Category)
			}
			known[e.FINESS] = o.FINESS
		}
	}
	seen := map[string]bool{}
	for _, a := range Accounts() {
		if !domain.ValidUsername(a.Username) || !a.Role.Valid() || seen[a.Username] {
			t.Errorf("account %q: invalid name, unknown role %q or duplicate", a.Username, a.Role)
		}
		seen[a.Username] = true
		for _, f := range a.Establishments {
			if known[f] != a.OrgFINESS {
				t.Errorf("account %s: establishment %s is not in organisation %s", a.Username, f, a.OrgFINESS)
			}
		}
	}
}
