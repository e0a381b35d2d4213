package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/relais-dui/relais/domain"
)

func TestPolicyStorage(t *testing.T) {
	ctx := context.Background()
	ts := newTenants(t, 2)
	db := ts.db
	a, b := ts.orgs[0].String(), ts.orgs[1].String()
	groupLine := []string{"g", "alice", "medecin", a}

	if err := db.AddPolicyRules(ctx, [][]string{groupLine, {"p", "medecin", b, "medical", "read"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddPolicyRules(ctx, [][]string{groupLine}); !errors.Is(err, domain.ErrConflict) {
		t.Errorf("adding a line twice: error = %v, want ErrConflict", err)
	}
	first := [][]string{{"p", "infirmier", a, "care", "read"}, {"p", "infirmier", a, "care", "write"}}
	if err := db.ReplaceOrgPolicies(ctx, ts.orgs[0], first); err != nil {
		t.Fatal(err)
	}
	second := [][]string{{"p", "medecin", a, "medical", "read"}}
	if err := db.ReplaceOrgPolicies(ctx, ts.orgs[0], second); err != nil {
		t.Fatal(err)
	}
	got, err := db.PolicyRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Replacing A's p-lines leaves A's other lines and B's lines alone;
	// trailing empty columns are trimmed.
	want := [][]string{groupLine, {"p", "medecin", b, "medical", "read"}, {"p", "medecin", a, "medical", "read"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("PolicyRules = %q, want %q", got, want)
	}
	if got, err := db.OrgPolicyRules(ctx, ts.orgs[0]); err != nil || !reflect.DeepEqual(got, second) {
		t.Errorf("OrgPolicyRules(A) = %q, %v; want %q", got, err, second)
	}

	bad := []struct {
		name  string
		rules [][]string
	}{
		{"line of another organisation", [][]string{{"p", "medecin", b, "medical", "read"}}},
		{"grouping line", [][]string{{"g", "x", "y", a}}},
		{"too short", [][]string{{"p", "medecin"}}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.ReplaceOrgPolicies(ctx, ts.orgs[0], tt.rules); err == nil {
				t.Error("ReplaceOrgPolicies accepted it")
			}
		})
	}
	// A failing insert rolls the delete back.
	long := strings.Repeat("x", 101)
	if err := db.ReplaceOrgPolicies(ctx, ts.orgs[0], [][]string{{"p", "x", a, "y", "z"}, {"p", long, a, "y", "z"}}); err == nil {
		t.Error("ReplaceOrgPolicies accepted a value of 101 characters")
	}
	if got, _ := db.OrgPolicyRules(ctx, ts.orgs[0]); !reflect.DeepEqual(got, second) {
		t.Errorf("after a failed replace OrgPolicyRules(A) = %q, want %q kept", got, second)
	}

	if err := db.RemovePolicyRules(ctx, [][]string{groupLine, {"p", "absent", a, "x", "y"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.PolicyRules(ctx); len(got) != 2 {
		t.Errorf("after RemovePolicyRules %q", got)
	}
}

func TestInitOrgPoliciesSeedsOnce(t *testing.T) {
	ctx := context.Background()
	ts := newTenants(t, 1)
	org := ts.orgs[0]
	rules := [][]string{{"p", "medecin", org.String(), "medical", "read"}, {"p", "medecin", org.String(), "medical", "write"}}
	var wg sync.WaitGroup
	results := make([]bool, 4)
	errs := make([]error, len(results))
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = ts.db.InitOrgPolicies(ctx, org, rules)
		}()
	}
	wg.Wait()
	seeded := 0
	for i := range results {
		if errs[i] != nil {
			t.Errorf("InitOrgPolicies: %v", errs[i])
		}
		if results[i] {
			seeded++
		}
	}
	if seeded != 1 {
		t.Errorf("%d concurrent callers seeded, want exactly 1", seeded)
	}
	if got, _ := ts.db.OrgPolicyRules(ctx, org); !reflect.DeepEqual(got, rules) {
		t.Errorf("OrgPolicyRules = %q, want %q", got, rules)
	}
}
