package demo

import (
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// createObservations gives the first EHPAD residents (by name) their
// constantes: a year of weekly weights (one losing weight, faster in the
// last month: the undernutrition alert; one stable; one regaining after
// admission), blood pressure, pulse, temperature and SpO2
// every three days for three months with one confirmed fever (flagged), a
// diabetic's capillary glucose twice a day for a month (some typed in
// mmol/L), pain scores (EN and Algoplus), and one weight typed wrong and
// marked erroneous. Every value goes through the domain's checks, so the
// demo obeys the same ranges as the screens. Deterministic: no randomness.
func createObservations(tx *store.Tx, spec orgSpec, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	aide, ok1 := users["as.ehpad"]
	doctor, ok2 := users["medecin.ehpad"]
	if !ok1 || !ok2 {
		return nil
	}
	for _, es := range spec.Establishments {
		if es.Category != domain.CatEHPAD {
			continue
		}
		estab := estIDs[es.FINESS]
		var residents []struct {
			ID            uuid.UUID
			AdmissionDate time.Time
		}
		if err := tx.Gorm().Raw(`SELECT u.id, s.admission_date FROM usagers u JOIN stays s ON s.usager_id = u.id
			WHERE s.establishment_id = ? AND s.status = 'admitted' AND u.merged_into IS NULL
			ORDER BY u.birth_name, u.id LIMIT 4`, estab).Scan(&residents).Error; err != nil {
			return fmt.Errorf("residents for observations: %w", err)
		}
		if len(residents) < 4 {
			continue
		}
		now := today.In(domain.Paris())
		at := func(daysAgo, hour, minute int) time.Time {
			d := now.AddDate(0, 0, -daysAgo)
			return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, domain.Paris())
		}
		var obs []domain.Observation
		var fail error
		add := func(usager uuid.UUID, by domain.User, typ domain.ObservationType, when time.Time, value, value2, unit string, confirmed bool, comment string) {
			if fail != nil || when.After(today) {
				return
			}
			o, err := domain.ObservationInput{Type: string(typ), Value: value, Value2: value2, Unit: unit, MeasuredAt: when.Format("2006-01-02T15:04"),
				Comment: comment, Confirmed: confirmed}.Parse(today)
			if err != nil {
				fail = fmt.Errorf("observation %s %s on %s: %w", typ, value, when.Format("2006-01-02"), err)
				return
			}
			o.UsagerID, o.EstablishmentID, o.AuthorID, o.AuthorName, o.RecordedAt = usager, estab, by.ID, by.DisplayName, when.Add(10*time.Minute).UTC()
			obs = append(obs, o)
		}
		num := func(v float64, dec int) string {
			return domain.FrenchNumber(math.Round(v*math.Pow(10, float64(dec)))/math.Pow(10, float64(dec)), dec)
		}
		// wobble is a small deterministic noise in [-1, 1].
		wobble := func(i, seed int) float64 { return math.Sin(float64(i*7+seed*13)) * math.Cos(float64(i*3+seed)) }

		// A year of weekly weights, from the admission when later.
		trends := []func(week float64) float64{
			func(w float64) float64 { return 68.5 - 6.0*w/52 - 0.9*math.Max(0, w-48) }, // slow loss, then 5 % in a month: undernutrition alert
			func(w float64) float64 { return 74 + 0.4*math.Sin(w/52*2*math.Pi) },       // stable
			func(w float64) float64 { return 55 + 4.0*math.Min(w, 26)/26 },             // regains after admission
		}
		for r, trend := range trends {
			res := residents[r]
			for week := 0; week <= 52; week++ {
				when := at(7*(52-week), 9, 30)
				if !res.AdmissionDate.IsZero() && when.Before(res.AdmissionDate) {
					continue
				}
				add(res.ID, aide, domain.ObsWeight, when, num(trend(float64(week))+0.3*wobble(week, r), 1), "", "", false, "")
			}
		}
		// A weight typed wrong, then marked erroneous.
		typo := at(5, 9, 35)
		add(residents[0].ID, aide, domain.ObsWeight, typo, "46,8", "", "", false, "")
		typoIndex := len(obs) - 1

		// Vital signs every three days for three months.
		for r := 0; r < 4; r++ {
			res := residents[r]
			for day := 90; day >= 0; day -= 3 {
				i := day / 3
				when := at(day, 8, 15)
				add(res.ID, aide, domain.ObsBloodPress, when, num(128+12*wobble(i, r)+float64(r*4), 0), num(76+7*wobble(i, r+5), 0), "", false, "")
				add(res.ID, aide, domain.ObsPulse, when, num(74+9*wobble(i, r+9), 0), "", "", false, "")
				add(res.ID, aide, domain.ObsSpO2, when, num(96.5+1.5*wobble(i, r+2), 0), "", "", false, "")
				if r == 1 && day == 12 { // the flagged value: a confirmed fever
					add(res.ID, doctor, domain.ObsTemperature, when, "38,6", "", "", true, "Frissons, toux : médecin prévenu, ECBU et radio pulmonaire.")
					continue
				}
				add(res.ID, aide, domain.ObsTemperature, when, num(36.8+0.4*wobble(i, r+3), 1), "", "", false, "")
			}
		}
		// The diabetic (third resident): capillary glucose before breakfast
		// and before dinner for a month; the evening ones from the meter in mmol/L.
		for day := 30; day >= 0; day-- {
			add(residents[2].ID, doctor, domain.ObsGlucose, at(day, 7, 30), num(1.05+0.25*wobble(day, 4), 2), "", "g/L", false, "")
			add(residents[2].ID, aide, domain.ObsGlucose, at(day, 18, 30), num((1.55+0.35*wobble(day, 6))*domain.GlucoseMmolPerGram, 1), "", "mmol/L", false, "")
		}
		// Pain: numeric scale for the first resident (knee arthrosis),
		// Algoplus for the fourth (no verbal communication).
		for week := 8; week >= 0; week-- {
			add(residents[0].ID, aide, domain.ObsPain, at(7*week, 10, 0), num(2+1.2*wobble(week, 8), 0), "", "", false, "Genou droit à la marche")
			add(residents[3].ID, aide, domain.ObsAlgoplus, at(7*week, 10, 30), num(0.5+0.6*wobble(week, 2), 0), "", "", false, "")
		}
		if fail != nil {
			return fail
		}
		if err := tx.SaveObservations(obs); err != nil {
			return fmt.Errorf("observations: %w", err)
		}
		if err := tx.MarkObservationErroneous(obs[typoIndex].ID, aide.ID, aide.DisplayName, "Poids d'une autre résidente saisi par erreur (46,8 kg).", typo.Add(2*time.Hour)); err != nil {
			return fmt.Errorf("erroneous observation: %w", err)
		}
	}
	return nil
}
