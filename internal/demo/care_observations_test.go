package demo_test

import (
	"context"
	"testing"

	"github.com/relais-dui/relais/internal/demo"
)

// The demo shows the constantes: a year of weights for three residents,
// vital signs, a diabetic's glucose partly typed in mmol/L, pain scores,
// exactly one flagged value and one erroneous entry.
func TestDemoHasObservations(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		q    string
		want func(int) bool
	}{
		{`SELECT count(*) FROM (SELECT usager_id FROM observations WHERE type = 'poids' GROUP BY usager_id
			HAVING max(measured_at) - min(measured_at) > interval '300 days') y`, func(n int) bool { return n >= 2 }},
		{`SELECT count(DISTINCT type) FROM observations`, func(n int) bool { return n == 8 }},
		{`SELECT count(*) FROM observations WHERE type = 'glycemie' AND entered_unit = 'mmol/L'`, func(n int) bool { return n > 0 }},
		{`SELECT count(*) FROM observations WHERE flagged`, func(n int) bool { return n == 1 }},
		{`SELECT count(*) FROM observations WHERE erroneous_at IS NOT NULL`, func(n int) bool { return n == 1 }},
		// The weight loss alert: 5 % lost within the last month by someone.
		{`SELECT count(*) FROM (SELECT usager_id FROM observations WHERE type = 'poids' AND erroneous_at IS NULL
			AND measured_at > now() - interval '1 month' GROUP BY usager_id HAVING max(value) >= 1.05 * min(value)) l`, func(n int) bool { return n == 1 }},
	} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, c.q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if !c.want(n) {
			t.Errorf("demo: %d for %s", n, c.q)
		}
	}
}
