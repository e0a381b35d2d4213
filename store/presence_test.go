package store_test

import (
	"testing"
	"time"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// A month with a public holiday (11 November 2026), absences and a person
// admitted mid-month: the summary counts open days while admitted only.
func TestMonthPresenceSummary(t *testing.T) {
	f := newFixture(t)
	day := func(n int) time.Time { return time.Date(2026, time.November, n, 0, 0, 0, 0, time.UTC) }
	jour := domain.Establishment{Name: "Accueil de jour", FinessET: "690000058", Category: domain.CatEHPAD}
	ann, leo := person(t, "Présence", "Ann", "1940-01-01"), person(t, "Présence", "Léo", "1941-01-01")
	by := store.NewID()
	f.tx(t, func(tx *store.Tx) error {
		if err := tx.CreateEstablishment(&jour); err != nil {
			return err
		}
		for u, admitted := range map[*domain.Usager]time.Time{&ann: day(1).AddDate(0, -2, 0), &leo: day(16)} {
			if err := tx.CreateUsager(u, &domain.Stay{EstablishmentID: jour.ID, Status: domain.StayAdmitted, Mode: domain.ModeJour, AdmissionDate: admitted}); err != nil {
				return err
			}
		}
		roll, err := tx.PresenceRoll(jour.ID, day(10))
		if err != nil {
			return err
		}
		if len(roll) != 1 || roll[0].ID != ann.ID {
			t.Errorf("roll on the 10th: %d people, want Ann only", len(roll))
		}
		lines := []domain.Presence{
			{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(2), Status: domain.Present, RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(3), Status: domain.Absent, Reason: "Maladie", RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(4), Status: domain.Absent, Reason: "Hospitalisation", RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(5), Status: domain.Excused, RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: leo.ID, Day: day(16), Status: domain.Present, RecordedBy: by},
			{EstablishmentID: jour.ID, UsagerID: leo.ID, Day: day(17), Status: domain.Present, RecordedBy: by},
		}
		if err := tx.SavePresences(lines); err != nil {
			return err
		}
		// Correcting a line replaces it.
		return tx.SavePresences([]domain.Presence{{EstablishmentID: jour.ID, UsagerID: ann.ID, Day: day(5), Status: domain.Present, RecordedBy: by}})
	})
	f.tx(t, func(tx *store.Tx) error {
		people, sums, err := tx.MonthPresence(jour.ID, 2026, time.November)
		if err != nil {
			return err
		}
		if len(people) != 2 || len(sums) != 2 {
			t.Fatalf("%d people, %d summaries", len(people), len(sums))
		}
		byID := map[string]domain.PresenceSummary{}
		for _, s := range sums {
			byID[s.UsagerID.String()] = s
		}
		a, l := byID[ann.ID.String()], byID[leo.ID.String()]
		if a.Expected != 20 || a.Present != 2 || a.Absent != 2 || a.ByReason["Maladie"] != 1 || a.ByReason["Hospitalisation"] != 1 || a.Excused != 0 || a.Unrecorded != 16 {
			t.Errorf("Ann: %+v", a)
		}
		if l.Expected != 11 || l.Present != 2 || l.Unrecorded != 9 {
			t.Errorf("Léo: %+v", l)
		}
		return nil
	})
}
