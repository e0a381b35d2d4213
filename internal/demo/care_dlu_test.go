package demo_test

import (
	"context"
	"testing"

	"github.com/relais-dui/relais/internal/demo"
)

// The demo shows a complete DLU and one with data still to fill in.
func TestDemoHasDLU(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM dlu_info WHERE gir = 2 AND gp_name <> '' AND hospital_name <> '' AND states_checked AND bmr = 'non'`,
		`SELECT count(*) FROM dlu_info WHERE gir = 4 AND gp_name = ''`,
	} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("demo has %d rows for: %s", n, q)
		}
	}
}
