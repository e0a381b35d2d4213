package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/demo"
)

// The demo shows targeted notes in every state, in the EHPAD and the SSIAD,
// results written later by someone else, and notes in the shift that has
// just ended (what the relève opens on).
func TestDemoHasTargetedNotes(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	from, to := domain.ShiftWindow(domain.PreviousShift(time.Now()))
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`SELECT count(*) FROM targeted_notes n JOIN establishments e ON e.id = n.establishment_id WHERE e.category = 'EHPAD' AND n.closed_at IS NULL`, nil},
		{`SELECT count(*) FROM targeted_notes n JOIN establishments e ON e.id = n.establishment_id WHERE e.category = 'SSIAD' AND n.closed_at IS NULL`, nil},
		{`SELECT count(*) FROM targeted_notes WHERE closed_at IS NOT NULL AND closed_by <> author_id`, nil},
		{`SELECT count(*) FROM targeted_notes WHERE closed_at IS NULL AND result_by IS NOT NULL AND result_by <> author_id`, nil},
		{`SELECT count(*) FROM targeted_notes WHERE macro = 'admission'`, nil},
		{`SELECT count(*) FROM targeted_notes WHERE target = 'autre' AND target_other <> ''`, nil},
		{`SELECT count(*) FROM targeted_notes WHERE written_at >= $1 AND written_at < $2`, []any{from, to}},
	} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, q.sql, q.args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Errorf("demo has nothing for: %s", q.sql)
		}
	}
}
