package main

import (
	"context"
	"strings"
	"testing"

	"github.com/relais-dui/relais/internal/demo"
)

func TestClientLifecycle(t *testing.T) {
	ctx := context.Background()
	vars := demoDB(t)
	db := mustOwner(t, vars["DATABASE_URL"])
	create := []string{"client", "create", "--id", "ch-villefranche", "--name", "Centre hospitalier", "--establishment", demo.EHPADFINESS,
		"--role", "medecin", "--scopes", "system/Patient.read"}
	r := cli(t, ctx, vars, "", create...)
	if r.code != 0 || !strings.Contains(r.stdout, "client_id=ch-villefranche") || !strings.Contains(r.stdout, "client_secret=") {
		t.Fatalf("create: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if _, err := db.LookupClient(ctx, "ch-villefranche"); err != nil {
		t.Fatalf("client not stored: %v", err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"taken id", create, 1, "déjà pris"},
		{"unknown scope", []string{"client", "create", "--id", "autre", "--name", "X", "--establishment", demo.EHPADFINESS, "--role", "medecin", "--scopes", "system/Patient.delete"}, 2, "Portée inconnue"},
		{"unknown role", []string{"client", "create", "--id", "autre", "--name", "X", "--establishment", demo.EHPADFINESS, "--role", "pilote", "--scopes", "system/Patient.read"}, 2, "rôle"},
		{"unknown establishment", []string{"client", "create", "--id", "autre", "--name", "X", "--establishment", "690000999", "--role", "medecin", "--scopes", "system/Patient.read"}, 1, "aucun établissement"},
		{"revoke unknown", []string{"client", "revoke", "--id", "personne"}, 1, "aucun client"},
	} {
		r := cli(t, ctx, vars, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("%s: %d %q", tc.name, r.code, r.stderr)
		}
	}
	if r := cli(t, ctx, vars, "", "client", "revoke", "--id", "ch-villefranche"); r.code != 0 {
		t.Fatalf("revoke: %d %s", r.code, r.stderr)
	}
	rec, err := db.LookupClient(ctx, "ch-villefranche")
	if err != nil || rec.Active {
		t.Fatalf("after revoke: %+v %v", rec, err)
	}
	if r := cli(t, ctx, vars, "", "client", "revoke", "--id", "ch-villefranche"); r.code != 1 || !strings.Contains(r.stderr, "déjà révoqué") {
		t.Errorf("second revoke: %d %s", r.code, r.stderr)
	}
	// The demo registered its partner.
	if rec, err := db.LookupClient(ctx, demo.DemoPartner); err != nil || !rec.Active {
		t.Errorf("demo partner: %+v %v", rec, err)
	}
}
