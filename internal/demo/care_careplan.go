package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// actPlan is a care act of the demo, scheduled from two months before
// the load.
type actPlan struct {
	kind         domain.CareKind
	label        string
	weekdays     []time.Weekday
	moments      []domain.Moment
	at           string
	instructions string
}

var (
	everyDay = domain.WeekdaysMondayFirst
	monWedFr = []time.Weekday{time.Monday, time.Wednesday, time.Friday}
	tueThuSa = []time.Weekday{time.Tuesday, time.Thursday, time.Saturday}
)

// ehpadCarePlans are the care plans of the first residents, in turn.
var ehpadCarePlans = [][]actPlan{
	{{kind: domain.CareAideToilette, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}, instructions: "Au lavabo, assise ; laisser faire le haut du corps."},
		{kind: domain.CareEscarres, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning, domain.MomentAfternoon, domain.MomentEvening}, instructions: "Changement de position, effleurage des talons."},
		{kind: domain.CarePansement, label: "talon droit", weekdays: monWedFr, moments: []domain.Moment{domain.MomentMorning}, instructions: "Hydrocolloïde, photo le lundi."}},
	{{kind: domain.CareToilette, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}, instructions: "Toilette au lit, à deux."},
		{kind: domain.CareChange, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning, domain.MomentAfternoon, domain.MomentEvening, domain.MomentNight}},
		{kind: domain.CareAideRepas, weekdays: everyDay, moments: []domain.Moment{domain.MomentNoon, domain.MomentEvening}, instructions: "Texture mixée, eau gélifiée."}},
	{{kind: domain.CareInjection, label: "insuline lente", weekdays: everyDay, at: "08:00", instructions: "Glycémie capillaire avant ; cible 1,20–1,80 g/l."},
		{kind: domain.CareDouche, weekdays: tueThuSa, moments: []domain.Moment{domain.MomentMorning}},
		{kind: domain.CareConstantes, weekdays: []time.Weekday{time.Monday}, moments: []domain.Moment{domain.MomentMorning}, instructions: "Poids, tension, température."}},
	{{kind: domain.CareLeverCoucher, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning, domain.MomentEvening}, instructions: "Verticalisateur."},
		{kind: domain.CareSurveillance, label: "risque de chute", weekdays: everyDay, moments: []domain.Moment{domain.MomentNight}, instructions: "Passage à 23 h et 3 h, barrière basse."}},
	{{kind: domain.CareAideToilette, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}},
		{kind: domain.CareAutre, label: "Bas de contention", weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}, instructions: "Mettre avant le lever, retirer au coucher."}},
}

// ssiadCarePlans are the care plans of the SSIAD round, stop by stop, with
// how to get in.
var ssiadCarePlans = []struct {
	access string
	acts   []actPlan
}{
	{"Clé dans la boîte à clés à gauche de la porte, code 1942.", []actPlan{
		{kind: domain.CareToilette, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}, instructions: "Toilette au lit, lève-personne."},
		{kind: domain.CareEscarres, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}}}},
	{"Code portail 4B27, 2e étage sans ascenseur.", []actPlan{
		{kind: domain.CarePansement, label: "ulcère jambe gauche", weekdays: monWedFr, moments: []domain.Moment{domain.MomentMorning}, instructions: "Nettoyage sérum physiologique, interface, bande de compression."},
		{kind: domain.CareAideToilette, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}}}},
	{"Sonner longtemps : Madame entend mal. Le chien est gentil.", []actPlan{
		{kind: domain.CareInjection, label: "anticoagulant", weekdays: everyDay, at: "09:30", instructions: "Sous-cutané, alterner les côtés."},
		{kind: domain.CareConstantes, weekdays: []time.Weekday{time.Monday, time.Thursday}, moments: []domain.Moment{domain.MomentMorning}}}},
	{"", []actPlan{
		{kind: domain.CareDouche, weekdays: tueThuSa, moments: []domain.Moment{domain.MomentMorning}, instructions: "Siège de douche, sol glissant."},
		{kind: domain.CareAideToilette, weekdays: []time.Weekday{time.Monday, time.Wednesday, time.Friday, time.Sunday}, moments: []domain.Moment{domain.MomentMorning}}}},
	{"Clé chez la voisine du rez-de-chaussée (Mme Roux) si pas de réponse.", []actPlan{
		{kind: domain.CareSurveillance, label: "état cutané et hydratation", weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}},
		{kind: domain.CareAideToilette, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}}}},
	{"Portail bleu, entrer par le garage.", []actPlan{
		{kind: domain.CareLeverCoucher, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}},
		{kind: domain.CareToilette, weekdays: everyDay, moments: []domain.Moment{domain.MomentMorning}}}},
}

// createCarePlans gives residents of each EHPAD a care plan with today's
// first care marked, and each SSIAD a morning round of six visits done by
// its nurse (ide.ssiad) with the first two visits' care already marked.
func createCarePlans(tx *store.Tx, spec orgSpec, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	day := domain.ParisDay(today)
	start := day.AddDate(0, -2, 0)
	for _, es := range spec.Establishments {
		estab := estIDs[es.FINESS]
		switch es.Category {
		case domain.CatEHPAD:
			author, ok := users["medecin.ehpad"]
			marker, ok2 := users["as.ehpad"]
			if !ok || !ok2 {
				continue
			}
			people, err := admittedIn(tx, estab, len(ehpadCarePlans))
			if err != nil {
				return err
			}
			for i, u := range people {
				acts, err := saveActs(tx, u, estab, ehpadCarePlans[i], author, start)
				if err != nil {
					return err
				}
				// The morning round of the aide-soignante is under way: the
				// first residents' morning care is marked, one refusal.
				if i < 3 {
					if err := markMorning(tx, acts, day, marker, today, i == 1); err != nil {
						return err
					}
				}
			}
		case domain.CatSSIAD:
			nurse, ok := users["ide.ssiad"]
			if !ok {
				continue
			}
			people, err := admittedIn(tx, estab, len(ssiadCarePlans))
			if err != nil {
				return err
			}
			round := domain.Round{EstablishmentID: estab, Name: "Tournée Val de Saône — matin", DefaultUserID: nurse.ID}
			if err := tx.SaveRound(&round); err != nil {
				return fmt.Errorf("round: %w", err)
			}
			var stops []domain.RoundStop
			for i, u := range people {
				acts, err := saveActs(tx, u, estab, ssiadCarePlans[i].acts, nurse, start)
				if err != nil {
					return err
				}
				stops = append(stops, domain.RoundStop{UsagerID: u, AccessNotes: ssiadCarePlans[i].access})
				if i < 2 {
					if err := markMorning(tx, acts, day, nurse, today, false); err != nil {
						return err
					}
				}
			}
			if err := tx.SetRoundStops(round.ID, stops); err != nil {
				return fmt.Errorf("round stops: %w", err)
			}
		}
	}
	return nil
}

// admittedIn lists up to n usagers admitted in estab, in name order.
func admittedIn(tx *store.Tx, estab uuid.UUID, n int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := tx.Gorm().Raw(`SELECT u.id FROM usagers u JOIN stays s ON s.usager_id = u.id
		WHERE s.establishment_id = ? AND s.status = 'admitted' AND u.merged_into IS NULL ORDER BY u.name_key, u.id LIMIT ?`, estab, n).Scan(&ids).Error
	if err != nil {
		return nil, fmt.Errorf("admitted usagers for care plans: %w", err)
	}
	return ids, nil
}

func saveActs(tx *store.Tx, usager, estab uuid.UUID, plans []actPlan, author domain.User, start time.Time) ([]domain.CareAct, error) {
	var out []domain.CareAct
	for _, p := range plans {
		a := domain.CareAct{UsagerID: usager, EstablishmentID: estab, Kind: p.kind, Label: p.label, Weekdays: p.weekdays, Moments: p.moments,
			At: p.at, Start: start, Instructions: p.instructions, CreatedAt: start.Add(9 * time.Hour), AuthorID: author.ID, AuthorName: author.DisplayName}
		if err := tx.SaveCareAct(&a); err != nil {
			return nil, fmt.Errorf("care act %s: %w", p.kind.Label(), err)
		}
		out = append(out, a)
	}
	return out, nil
}

// markMorning marks the morning occurrences of acts due on day as done (the
// first one refused when refuse is set).
func markMorning(tx *store.Tx, acts []domain.CareAct, day time.Time, by domain.User, now time.Time, refuse bool) error {
	at := time.Date(day.Year(), day.Month(), day.Day(), 8, 20, 0, 0, domain.Paris())
	if at.After(now) {
		at = now
	}
	first := true
	for _, o := range domain.Occurrences(acts, nil, day) {
		if o.Moment() != domain.MomentMorning {
			continue
		}
		m := domain.CareMark{ActID: o.Act.ID, UsagerID: o.Act.UsagerID, Day: day, Slot: o.Slot, Done: true, ByID: by.ID, ByName: by.DisplayName, At: at.UTC()}
		if refuse && first {
			m.Done, m.Reason, m.ReasonText = false, domain.NotDoneRefused, "Souhaite se reposer, reproposé à 11 h"
		}
		first = false
		if err := tx.MarkCare(&m); err != nil {
			return fmt.Errorf("care mark: %w", err)
		}
	}
	return nil
}
