package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// createCoordination sets the opening of the establishments (the EHPAD open
// every day including holidays; the DITEP Monday to Friday by half-days
// with its accueil modes and its summer closure), fills the DITEP's
// register by half-days, and plans staff meetings: the EHPAD's weekly team
// meeting and a DITEP synthesis meeting this week. Establishments missing
// from an organisation are skipped.
func createCoordination(tx *store.Tx, spec orgSpec, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	admin := users["admin"]
	if ehpad, ok := estIDs[EHPADFINESS]; ok {
		o := domain.DefaultOpening(ehpad)
		for d := range o.Weekdays {
			o.Weekdays[d] = true
		}
		o.OpenOnHolidays = true
		if err := tx.SaveOpening(o, admin.ID); err != nil {
			return fmt.Errorf("EHPAD opening: %w", err)
		}
	}
	ditep, ok := estIDs[DITEPFINESS]
	if !ok {
		return createMeetings(tx, estIDs, users, today)
	}
	o := domain.DefaultOpening(ditep)
	o.HalfDays = true
	o.Modes = []domain.Mode{domain.ModeInternat, domain.ModeSemiInt, domain.ModeExternat, domain.ModeAmbulatoire}
	if err := tx.SaveOpening(o, admin.ID); err != nil {
		return fmt.Errorf("DITEP opening: %w", err)
	}
	for _, c := range []domain.Closure{
		{First: date2(2026, time.July, 25), Last: date2(2026, time.August, 23), Label: "Fermeture estivale"},
		{First: date2(2026, time.December, 24), Last: date2(2027, time.January, 1), Label: "Fermeture de fin d'année"},
		{First: date2(2027, time.July, 24), Last: date2(2027, time.August, 22), Label: "Fermeture estivale"},
	} {
		if err := tx.AddClosure(ditep, &c); err != nil {
			return fmt.Errorf("DITEP closure: %w", err)
		}
	}
	opening, err := tx.Opening(ditep)
	if err != nil {
		return err
	}
	if err := createPresences(tx, ditep, opening, users["educ.ditep"]); err != nil {
		return fmt.Errorf("presence register: %w", err)
	}
	return createMeetings(tx, estIDs, users, today)
}

func date2(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// createPresences fills the DITEP's register by half-days for October 2026
// and the open days of 2–20 November 2026 (11 November is a holiday), each
// line in the child's accueil mode, with a few absences (a morning at the
// doctor's, a day of illness) and excused half-days, so the monthly
// summary has something to count.
func createPresences(tx *store.Tx, ditep uuid.UUID, opening domain.Opening, educ domain.User) error {
	reasons := []string{"Maladie", "Rendez-vous médical", "Convenance personnelle"}
	days := opening.OpenDays(2026, time.October)
	for _, d := range opening.OpenDays(2026, time.November) {
		if d.Day() <= 20 {
			days = append(days, d)
		}
	}
	for _, day := range days {
		roll, err := tx.PresenceRoll(ditep, day)
		if err != nil {
			return err
		}
		modes, err := tx.StayModes(ditep, day)
		if err != nil {
			return err
		}
		var lines []domain.Presence
		for i, u := range roll {
			mode := modes[u.ID]
			if !opening.HasMode(mode) {
				mode = ""
			}
			k := (i*7 + day.Day() + int(day.Month())) % 23
			for _, h := range opening.Halves() {
				l := domain.Presence{EstablishmentID: ditep, UsagerID: u.ID, Day: day, Half: h, Mode: mode, Status: domain.Present, RecordedBy: educ.ID}
				switch {
				case k == 0: // ill the whole day
					l.Status, l.Reason = domain.Absent, reasons[0]
				case k == 1 && h == domain.HalfMorning:
					l.Status, l.Reason = domain.Absent, reasons[1+(i+day.Day())%2]
				case k == 2 && h == domain.HalfAfternoon:
					l.Status = domain.Excused
				case mode == domain.ModeExternat && h == domain.HalfAfternoon && day.Weekday() == time.Wednesday:
					continue // externat children go home on Wednesday afternoon: nothing to record
				}
				lines = append(lines, l)
			}
		}
		if err := tx.SavePresences(lines); err != nil {
			return err
		}
	}
	return nil
}

// createMeetings plans the EHPAD's weekly care team meeting (Tuesdays
// 14:00–15:00 from this week, for six months) and, in the DITEP, a
// synthesis meeting on Thursday of this week about two children.
func createMeetings(tx *store.Tx, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	now := today.In(domain.Paris())
	monday := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, domain.Paris()).AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
	at := func(days, hour int) time.Time {
		d := monday.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, domain.Paris()).UTC()
	}
	ids := func(names ...string) []uuid.UUID {
		var out []uuid.UUID
		for _, n := range names {
			if u, ok := users[n]; ok {
				out = append(out, u.ID)
			}
		}
		return out
	}
	if ehpad, ok := estIDs[EHPADFINESS]; ok {
		dir := users["dir.ehpad"]
		m := domain.Meeting{EstablishmentID: ehpad, Kind: domain.MeetingTeam, Title: "Réunion d'équipe soignante", Start: at(1, 14), End: at(1, 15),
			Place: "Salle de transmissions", Recurrence: domain.RecurWeekly, RecurUntil: date2(monday.Year(), monday.Month(), monday.Day()).AddDate(0, 6, 0),
			Participants: ids("dir.ehpad", "medecin.ehpad", "as.ehpad"), AuthorID: dir.ID, AuthorName: dir.DisplayName}
		if err := tx.SaveMeeting(&m); err != nil {
			return fmt.Errorf("EHPAD team meeting: %w", err)
		}
		training := domain.Meeting{EstablishmentID: ehpad, Kind: domain.MeetingTraining, Title: "Formation prévention des chutes", Start: at(3, 9),
			End: at(3, 12), Place: "Salle d'animation", Participants: ids("as.ehpad", "medecin.ehpad"), AuthorID: dir.ID, AuthorName: dir.DisplayName}
		if err := tx.SaveMeeting(&training); err != nil {
			return fmt.Errorf("EHPAD training: %w", err)
		}
		if err := training.Cancel("Formatrice indisponible, reportée au mois prochain"); err != nil {
			return err
		}
		if err := tx.SaveMeeting(&training); err != nil {
			return fmt.Errorf("EHPAD training cancelled: %w", err)
		}
	}
	if ditep, ok := estIDs[DITEPFINESS]; ok {
		var children []uuid.UUID
		if err := tx.Gorm().Raw(`SELECT s.usager_id FROM stays s JOIN usagers u ON u.id = s.usager_id
			WHERE s.establishment_id = ? AND s.status = 'admitted' ORDER BY u.sort_key, u.id LIMIT 2`, ditep).Scan(&children).Error; err != nil {
			return fmt.Errorf("children for the synthesis: %w", err)
		}
		educ := users["educ.ditep"]
		m := domain.Meeting{EstablishmentID: ditep, Kind: domain.MeetingSynthesis, Title: "Réunion de synthèse", Start: at(3, 10), End: at(3, 12),
			Place: "Bureau de la direction", Participants: ids("educ.ditep", "admin"), Usagers: children, AuthorID: educ.ID, AuthorName: educ.DisplayName}
		if err := tx.SaveMeeting(&m); err != nil {
			return fmt.Errorf("DITEP synthesis: %w", err)
		}
	}
	return nil
}
