package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// createAdverseEvents gives each EHPAD of the organisation fiches
// d'événement indésirable in every state: one drafted from a fall of a
// timeline (in analysis), a serious medication error with its ARS part 1
// declared and corrective actions, a serious one just declared whose ARS
// part 1 is late (it shows on the home screen), and a closed runaway.
func createAdverseEvents(tx *store.Tx, spec orgSpec, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	author, ok := users["as.ehpad"]
	if !ok {
		return nil
	}
	for _, es := range spec.Establishments {
		if es.Category != domain.CatEHPAD {
			continue
		}
		estab := estIDs[es.FINESS]
		var fall struct {
			ID       uuid.UUID
			UsagerID uuid.UUID
			StartAt  time.Time
			Place    string
			Title    string
		}
		if err := tx.Gorm().Raw(`SELECT e.id, e.usager_id, e.start_at, e.place, e.title FROM events e
			JOIN stays s ON s.usager_id = e.usager_id AND s.establishment_id = ? AND s.status = 'admitted'
			WHERE e.type = 'chute' ORDER BY e.start_at, e.id LIMIT 1`, estab).Scan(&fall).Error; err != nil {
			return fmt.Errorf("fall for an adverse event: %w", err)
		}
		day := func(daysAgo int, hour int) time.Time {
			d := today.In(domain.Paris()).AddDate(0, 0, -daysAgo)
			return time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, domain.Paris()).UTC()
		}
		type plan struct {
			f       domain.AdverseEvent
			steps   []domain.AdverseStatus
			actions []domain.AdverseAction
		}
		plans := []plan{
			{f: domain.AdverseEvent{UsagerID: fall.UsagerID, FromEventID: fall.ID, OccurredAt: fall.StartAt, Place: fall.Place,
				Description: fall.Title + " ; retrouvée au sol au passage de l'aide-soignante de nuit.", Measures: "Relevée à deux, surveillance neurologique, médecin prévenu.",
				Category: domain.AdverseFall, Severity: 2, Causes: "Lever nocturne sans éclairage, déambulateur hors de portée."},
				steps: []domain.AdverseStatus{domain.AdverseAnalysis}},
			{f: domain.AdverseEvent{OccurredAt: day(40, 8), Place: "Salle de soins, 1er étage",
				Description: "Anticoagulant administré à une résidente à la place de sa voisine de table.", Measures: "Médecin et famille prévenus, bilan de coagulation, surveillance 48 h.",
				Category: domain.AdverseMedication, Severity: 4, Causes: "Piluliers non nominatifs préparés la veille, interruption de tâche pendant la distribution.",
				ARSPart1: day(39, 0)},
				steps: []domain.AdverseStatus{domain.AdverseAnalysis, domain.AdverseActions},
				actions: []domain.AdverseAction{{Title: "Piluliers nominatifs avec photographie", Owner: "Pharmacien référent", Due: day(-20, 0), Done: true},
					{Title: "Gilet « ne pas déranger » pendant la distribution", Owner: "Cadre de santé", Due: day(-45, 0)}}},
			{f: domain.AdverseEvent{OccurredAt: day(4, 22), Place: "Unité protégée",
				Description: "Résident retrouvé inconscient dans le jardin de l'unité protégée, transféré aux urgences.", Measures: "SAMU appelé, famille prévenue.",
				Category: domain.AdverseCareFailure, Severity: 3, LifeThreatening: true}},
			{f: domain.AdverseEvent{OccurredAt: day(90, 15), Place: "Hall d'accueil",
				Description: "Sortie d'une résidente par la porte d'entrée, retrouvée à 300 m par un voisin.", Measures: "Ramenée, examen clinique, famille prévenue.",
				Category: domain.AdverseRunaway, Severity: 3, Causes: "Digicode de la porte d'entrée désactivé pendant une livraison."},
				steps:   []domain.AdverseStatus{domain.AdverseAnalysis, domain.AdverseActions, domain.AdverseClosed},
				actions: []domain.AdverseAction{{Title: "Procédure de livraison par l'entrée de service", Owner: "Directeur", Due: day(60, 0), Done: true}}},
		}
		for _, p := range plans {
			f := p.f
			f.EstablishmentID, f.Status, f.AuthorID, f.AuthorName = estab, domain.AdverseDeclared, author.ID, author.DisplayName
			f.DeclaredAt = f.OccurredAt.Add(3 * time.Hour)
			causes, p1 := f.Causes, f.ARSPart1
			f.Causes, f.ARSPart1 = "", time.Time{}
			if err := tx.SaveAdverseEvent(&f); err != nil {
				return fmt.Errorf("adverse event %q: %w", f.Category.Label(), err)
			}
			f.Causes, f.ARSPart1 = causes, p1
			for _, a := range p.actions {
				a.AdverseID = f.ID
				if err := tx.SaveAdverseAction(&a); err != nil {
					return fmt.Errorf("corrective action: %w", err)
				}
			}
			for _, to := range p.steps {
				if err := domain.AdverseMove(f, to); err != nil {
					return fmt.Errorf("adverse event %q → %s: %w", f.Category.Label(), to, err)
				}
				f.Status = to
				if to == domain.AdverseClosed {
					f.ClosedAt = f.OccurredAt.AddDate(0, 1, 0)
				}
			}
			if err := tx.SaveAdverseEvent(&f); err != nil {
				return fmt.Errorf("adverse event %q: %w", f.Category.Label(), err)
			}
		}
	}
	return nil
}
