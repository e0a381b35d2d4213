package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// demoRPPS is the RPPS number of the EHPAD's coordinating doctor in the
// demo (11 digits with a valid Luhn key, not a real practitioner's).
const demoRPPS = "10003012340"

// createMedication gives the first residents of each EHPAD their usual
// treatments, prescribed by the coordinating doctor: scheduled lines (one
// on chosen weekdays, an antibiotic with an end date), "si besoin" lines
// (paracetamol at most 4 times in 24 hours, 6 hours apart; lorazepam), a
// line stopped for an adverse effect. Yesterday's register is complete and
// today's filled up to now by the aide-soignante, with one refusal, one
// intake not given, and one "si besoin" given with its justification.
func createMedication(tx *store.Tx, spec orgSpec, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	doctor, okDoc := users["medecin.ehpad"]
	aide, okAS := users["as.ehpad"]
	if !okDoc || !okAS {
		return nil
	}
	now := today.UTC()
	day := domain.ParisDay(now)
	for _, es := range spec.Establishments {
		if es.Category != domain.CatEHPAD {
			continue
		}
		estab := estIDs[es.FINESS]
		var residents []uuid.UUID
		if err := tx.Gorm().Raw(`SELECT u.id FROM usagers u JOIN stays s ON s.usager_id = u.id AND s.establishment_id = ? AND s.status = 'admitted'
			WHERE u.merged_into IS NULL ORDER BY u.sort_key, u.id LIMIT 5`, estab).Scan(&residents).Error; err != nil {
			return fmt.Errorf("residents for treatments: %w", err)
		}
		at := func(h, m int) domain.Intake { return domain.Intake{Minute: h*60 + m, Quantity: 1} }
		half := func(in domain.Intake) domain.Intake { in.Quantity = 0.5; return in }
		// The CIP13 code is illustrative: well formed, key checked.
		paracetamol := domain.Prescription{Drug: "Paracétamol 1 g, comprimé", Code: "3400955955832", CodeSystem: domain.CodeCIP13, Unit: "comprimé",
			Route: domain.RouteOral, AsNeeded: true, Condition: "Douleur EVA ≥ 4 ou fièvre > 38,5 °C", Dose: 1, MaxPer24h: 4, MinInterval: 6 * time.Hour}
		type line struct {
			p          domain.Prescription
			startedAgo int // days
			endIn      int // days after today (0: no end)
			stoppedAgo int // days (0: in force)
			stopReason string
		}
		plans := [][]line{
			{{p: domain.Prescription{Drug: "Lévothyroxine 75 µg, comprimé", Unit: "comprimé", Route: domain.RouteOral, Intakes: []domain.Intake{at(7, 30)},
				Notes: "À jeun, 30 minutes avant le petit déjeuner."}, startedAgo: 200},
				{p: paracetamol, startedAgo: 60}},
			{{p: domain.Prescription{Drug: "Kardégic 75 mg, sachet", Unit: "sachet", Route: domain.RouteOral, Intakes: []domain.Intake{at(12, 0)}}, startedAgo: 400},
				{p: domain.Prescription{Drug: "Furosémide 40 mg, comprimé", Unit: "comprimé", Route: domain.RouteOral, Intakes: []domain.Intake{at(8, 0)},
					Notes: "Pesée le lundi ; prévenir si prise de plus de 2 kg."}, startedAgo: 90},
				{p: domain.Prescription{Drug: "Macrogol 4000, sachet", Unit: "sachet", Route: domain.RouteOral, Intakes: []domain.Intake{at(8, 0)},
					Weekdays: []time.Weekday{time.Monday, time.Wednesday, time.Friday}}, startedAgo: 45},
				{p: paracetamol, startedAgo: 30}},
			{{p: domain.Prescription{Drug: "Donépézil 10 mg, comprimé", Unit: "comprimé", Route: domain.RouteOral, Intakes: []domain.Intake{at(20, 0)}}, startedAgo: 300},
				{p: domain.Prescription{Drug: "Zopiclone 7,5 mg, comprimé sécable", Unit: "comprimé", Route: domain.RouteOral, Intakes: []domain.Intake{half(at(21, 0))}}, startedAgo: 20},
				{p: domain.Prescription{Drug: "Lorazépam 1 mg, comprimé", Unit: "comprimé", Route: domain.RouteOral, AsNeeded: true,
					Condition: "Anxiété importante ne cédant pas à la réassurance", Dose: 1, MaxPer24h: 2, MinInterval: 8 * time.Hour}, startedAgo: 20}},
			{{p: domain.Prescription{Drug: "Metformine 500 mg, comprimé", Unit: "comprimé", Route: domain.RouteOral, Intakes: []domain.Intake{at(8, 0), at(19, 0)},
				Notes: "Au cours des repas."}, startedAgo: 500},
				{p: domain.Prescription{Drug: "Amlodipine 5 mg, gélule", Unit: "gélule", Route: domain.RouteOral, Intakes: []domain.Intake{at(8, 0)}}, startedAgo: 150},
				{p: domain.Prescription{Drug: "Tramadol 50 mg, gélule", Unit: "gélule", Route: domain.RouteOral, Intakes: []domain.Intake{at(8, 0), at(20, 0)}},
					startedAgo: 10, stoppedAgo: 3, stopReason: "Nausées et somnolence : arrêt sur avis médical, relais par paracétamol."},
				{p: paracetamol, startedAgo: 3}},
			{{p: domain.Prescription{Drug: "Amoxicilline 1 g, comprimé", Unit: "comprimé", Route: domain.RouteOral, Intakes: []domain.Intake{at(8, 0), at(20, 0)},
				Notes: "Infection urinaire, 7 jours."}, startedAgo: 3, endIn: 3},
				{p: domain.Prescription{Drug: "Lactulose 10 g, sachet", Unit: "sachet", Route: domain.RouteOral, Intakes: []domain.Intake{at(8, 0)}}, startedAgo: 60}},
		}
		var scheduled, asNeeded []domain.Prescription
		for i, u := range residents {
			for _, l := range plans[i%len(plans)] {
				p := l.p
				p.Intakes = append([]domain.Intake{}, l.p.Intakes...)
				p.UsagerID, p.EstablishmentID = u, estab
				p.Start = day.AddDate(0, 0, -l.startedAgo)
				if l.endIn > 0 {
					p.End = day.AddDate(0, 0, l.endIn)
				}
				p.OrderDate, p.Prescriber, p.RPPS = p.Start, "Dr "+doctor.DisplayName, demoRPPS
				p.CreatedAt, p.CreatedBy, p.CreatedName = time.Date(p.Start.Year(), p.Start.Month(), p.Start.Day(), 9, 0, 0, 0, time.UTC), doctor.ID, doctor.DisplayName
				if err := tx.SavePrescription(&p); err != nil {
					return fmt.Errorf("prescription %s: %w", p.Drug, err)
				}
				if l.stoppedAgo > 0 {
					stopped := time.Date(day.Year(), day.Month(), day.Day()-l.stoppedAgo, 11, 0, 0, 0, domain.Paris()).UTC()
					if err := tx.StopPrescription(p.ID, stopped, l.stopReason, doctor.ID, doctor.DisplayName); err != nil {
						return fmt.Errorf("stop %s: %w", p.Drug, err)
					}
					continue
				}
				if p.AsNeeded {
					asNeeded = append(asNeeded, p)
				} else {
					scheduled = append(scheduled, p)
				}
			}
		}
		// The register of yesterday and of today until now: given a few
		// minutes after the planned time, one refusal and one intake not
		// given (vomiting) among them.
		n := 0
		for _, p := range scheduled {
			for _, pi := range p.Planned(day.AddDate(0, 0, -1), day) {
				if pi.At.After(now.Add(-10 * time.Minute)) {
					continue
				}
				a := domain.Administration{PrescriptionID: p.ID, PlannedAt: pi.At, At: pi.At.Add(time.Duration(5+n%15) * time.Minute),
					Status: domain.AdminGiven, Dose: pi.Quantity, RecordedAt: pi.At.Add(time.Duration(6+n%15) * time.Minute), ByID: aide.ID, ByName: aide.DisplayName}
				switch n {
				case 2:
					a.Status, a.Dose = domain.AdminRefused, 0
				case 5:
					a.Status, a.Dose, a.Reason = domain.AdminMissed, 0, "vomissements"
				}
				if err := tx.RecordAdministration(&a); err != nil {
					return fmt.Errorf("administration of %s: %w", p.Drug, err)
				}
				n++
			}
		}
		// One "si besoin" given 90 minutes ago, with its justification.
		if len(asNeeded) > 0 {
			p := asNeeded[0]
			givenAt := now.Add(-90 * time.Minute).Truncate(time.Minute)
			a := domain.Administration{PrescriptionID: p.ID, At: givenAt, Status: domain.AdminGiven, Dose: p.Dose,
				DecidedBy: "Dr " + doctor.DisplayName + " (jointe par téléphone)", Why: "Douleur du genou droit à la mobilisation",
				Observation: "EVA 6 à " + givenAt.In(domain.Paris()).Format("15 h 04") + ", genou sans rougeur ni chaleur",
				RecordedAt:  givenAt.Add(5 * time.Minute), ByID: aide.ID, ByName: aide.DisplayName}
			if err := tx.RecordAdministration(&a); err != nil {
				return fmt.Errorf("si besoin administration: %w", err)
			}
		}
	}
	return nil
}
