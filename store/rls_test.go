package store_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/internal/testpg"
	"github.com/relais-dui/relais/store"
)

// Row-level security holds even when the SQL forgets the org_id filter: the
// application role sees the tenant of its transaction and nothing else.
func TestRowLevelSecurityConfinesTheApplicationRole(t *testing.T) {
	ctx := context.Background()
	dsn := testpg.New(t)
	owner, err := store.OpenOwner(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	orgA, orgB := store.NewID(), store.NewID()
	for i, org := range []uuid.UUID{orgA, orgB} {
		if _, err := owner.SQL().ExecContext(ctx, `INSERT INTO organisations (id, name, finess_ej) VALUES ($1, $2, $3)`,
			org, "Org", []string{"750000001", "750000002"}[i]); err != nil {
			t.Fatal(err)
		}
		if _, err := owner.SQL().ExecContext(ctx, `INSERT INTO usagers (id, org_id, birth_name, first_names, birth_date, sex, sort_key)
			VALUES ($1, $2, 'DUPONT', '{Marie}', '1940-01-01', 'F', 'DUPONT MARIE')`, store.NewID(), org); err != nil {
			t.Fatal(err)
		}
	}
	app, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()

	var role string
	if err := app.SQL().QueryRowContext(ctx, `SELECT current_user`).Scan(&role); err != nil || role != store.AppRole {
		t.Fatalf("application connection runs as %q (%v), want %q", role, err, store.AppRole)
	}

	count := func(q string) int {
		t.Helper()
		var n int
		if err := app.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM usagers`); n != 0 {
		t.Errorf("without tenant setting the application role sees %d usagers, want 0", n)
	}
	if n := count(`SELECT count(*) FROM organisations`); n != 0 {
		t.Errorf("without tenant setting the application role sees %d organisations, want 0", n)
	}
	err = app.InTenant(ctx, orgA, func(tx *store.Tx) error {
		var n int64
		if err := tx.Gorm().Raw(`SELECT count(*) FROM usagers`).Scan(&n).Error; err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("tenant A sees %d usagers, want only its own 1", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Writing a row for another organisation is refused by WITH CHECK.
	err = app.InTenant(ctx, orgA, func(tx *store.Tx) error {
		return tx.Gorm().Exec(`INSERT INTO usagers (id, org_id, birth_name, first_names, birth_date, sex, sort_key)
			VALUES (?, ?, 'X', '{Y}', '1940-01-01', 'F', 'X Y')`, store.NewID(), orgB).Error
	})
	if err == nil {
		t.Error("tenant A inserted a usager into organisation B")
	}
}
