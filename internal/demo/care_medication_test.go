package demo_test

import (
	"context"
	"testing"

	"github.com/relais-dui/relais/internal/demo"
)

// The demo shows medication: scheduled and "si besoin" lines, a stopped
// line, yesterday's register with a refusal and an intake not given, and a
// "si besoin" given with who decided, why and the observation.
func TestDemoHasMedication(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM prescriptions WHERE NOT as_needed AND stopped_at IS NULL`,
		`SELECT count(*) FROM prescriptions WHERE as_needed AND max_per_24h = 4 AND drug LIKE 'Paracétamol%'`,
		`SELECT count(*) FROM prescriptions WHERE stopped_at IS NOT NULL AND stop_reason <> ''`,
		`SELECT count(*) FROM medication_administrations WHERE status = 'given' AND planned_at IS NOT NULL`,
		`SELECT count(*) FROM medication_administrations WHERE status = 'refused'`,
		`SELECT count(*) FROM medication_administrations WHERE status = 'missed' AND reason = 'vomissements'`,
		`SELECT count(*) FROM medication_administrations WHERE planned_at IS NULL AND why <> '' AND observation LIKE 'EVA%'`,
	} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("demo has nothing for: %s", q)
		}
	}
}
