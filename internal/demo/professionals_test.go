package demo_test

import (
	"context"
	"testing"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/demo"
)

// The demo's doctor and nurses carry a valid RPPS number and their
// profession: partners find them as FHIR Practitioners.
func TestDemoProfessionalsHaveRPPS(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT username, rpps, profession FROM users WHERE rpps <> '' ORDER BY username`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var user, rpps, profession string
		if err := rows.Scan(&user, &rpps, &profession); err != nil {
			t.Fatal(err)
		}
		if msg := domain.CheckRPPS(rpps); msg != "" {
			t.Errorf("%s: %s (%s)", user, msg, rpps)
		}
		got[user] = profession
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"medecin.ehpad": "10", "ide.ehpad": "60", "ide.ssiad": "60"}
	if len(got) != len(want) {
		t.Fatalf("professionals %v, want %v", got, want)
	}
	for u, p := range want {
		if got[u] != p {
			t.Errorf("%s: profession %q, want %q", u, got[u], p)
		}
	}
}
