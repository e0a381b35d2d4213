package demo_test

import (
	"context"
	"testing"

	"github.com/relais-dui/relais/internal/demo"
)

// The demo shows adverse events in every state: one drafted from a timeline
// fall, a serious one with its ARS part 1 declared and actions, a serious one
// whose ARS part 1 is late, and a closed one.
func TestDemoHasAdverseEvents(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SELECT count(*) FROM adverse_events WHERE from_event_id IS NOT NULL AND usager_id IS NOT NULL AND status = 'EN_ANALYSE'`,
		`SELECT count(*) FROM adverse_events WHERE severity >= 4 AND ars_part1 IS NOT NULL AND ars_part2 IS NULL AND status = 'ACTIONS'`,
		`SELECT count(*) FROM adverse_events WHERE life_threatening AND ars_part1 IS NULL AND declared_at < now() - interval '48 hours'`,
		`SELECT count(*) FROM adverse_events WHERE status = 'CLOTUREE'`,
		`SELECT count(*) FROM adverse_actions WHERE done`,
		`SELECT count(*) FROM adverse_actions WHERE NOT done`,
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
