package access

import (
	"context"
	"reflect"
	"testing"

	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

// Casbin's own management API, with auto-save, goes through the adapter to
// casbin_rule and back.
func TestPolicyAdapterPersistsThroughTheStore(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, testpg.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org := store.NewID()
	e, err := newEnforcer(&policyAdapter{ctx: ctx, db: db, org: org})
	if err != nil {
		t.Fatal(err)
	}
	o := org.String()
	for _, r := range [][]string{{"medecin", o, "medical", "read"}, {"medecin", o, "medical", "write"}} {
		if _, err := e.AddPolicy(r[0], r[1], r[2], r[3]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.RemovePolicy("medecin", o, "medical", "write"); err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"p", "medecin", o, "medical", "read"}}
	if got, err := db.OrgPolicyRules(ctx, org); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("stored lines = %q, %v; want %q", got, err, want)
	}

	// A second enforcer loads what the first saved.
	again, err := newEnforcer(&policyAdapter{ctx: ctx, db: db, org: org})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := again.Enforce("medecin", o, "medical", "read"); !ok {
		t.Error("reloaded enforcer does not allow the saved line")
	}
	if ok, _ := again.Enforce("medecin", o, "medical", "write"); ok {
		t.Error("reloaded enforcer allows the removed line")
	}

	// SavePolicy replaces the organisation's lines with the model's.
	if _, err := again.AddPolicy("infirmier", o, "care", "read"); err != nil {
		t.Fatal(err)
	}
	if err := db.RemovePolicyRules(ctx, [][]string{{"p", "infirmier", o, "care", "read"}}); err != nil {
		t.Fatal(err)
	}
	if err := again.SavePolicy(); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.OrgPolicyRules(ctx, org); len(got) != 2 {
		t.Errorf("after SavePolicy %q, want the model's 2 lines", got)
	}
	if _, err := again.RemoveFilteredPolicy(0, "medecin"); err == nil {
		t.Error("filtered removal claimed to succeed")
	}
}
