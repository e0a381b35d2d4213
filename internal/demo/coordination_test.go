package demo_test

import (
	"context"
	"testing"

	"github.com/relais-dui/relais/internal/demo"
)

// The demo shows the coordination settings: the EHPAD open 7/7 with
// holidays, the DITEP by half-days with its modes and a summer closure and
// a register by half-days, a weekly team meeting and a synthesis meeting
// naming children.
func TestDemoHasOpeningsHalfDaysAndMeetings(t *testing.T) {
	ctx, db := context.Background(), ownerDB(t)
	if err := demo.Load(ctx, db, demo.DefaultPassword); err != nil {
		t.Fatal(err)
	}
	var sevenDays, halfDays, closures, halves, modes, weekly, synth, named int
	err := db.SQL().QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM establishment_opening o JOIN establishments e ON e.id = o.establishment_id
			WHERE e.category = 'EHPAD' AND o.weekdays = '1234567' AND o.open_on_holidays),
		(SELECT count(*) FROM establishment_opening o JOIN establishments e ON e.id = o.establishment_id
			WHERE e.category = 'DITEP' AND o.half_days AND cardinality(o.modes) >= 3),
		(SELECT count(*) FROM establishment_closures WHERE label = 'Fermeture estivale'),
		(SELECT count(*) FROM presences WHERE half IN ('matin','apres_midi')),
		(SELECT count(DISTINCT mode) FROM presences WHERE mode <> ''),
		(SELECT count(*) FROM meetings WHERE kind = 'equipe' AND recurrence = 'hebdomadaire'),
		(SELECT count(*) FROM meetings WHERE kind = 'synthese'),
		(SELECT count(*) FROM meeting_usagers)`).Scan(&sevenDays, &halfDays, &closures, &halves, &modes, &weekly, &synth, &named)
	if err != nil {
		t.Fatal(err)
	}
	if sevenDays != 1 || halfDays != 1 || closures == 0 || halves < 500 || modes < 2 || weekly != 1 || synth != 1 || named != 2 {
		t.Errorf("EHPAD 7/7 %d, DITEP half-days %d, summer closures %d, half-day lines %d, modes %d, weekly team meetings %d, syntheses %d naming %d",
			sevenDays, halfDays, closures, halves, modes, weekly, synth, named)
	}
}
