package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// createTargetedNotes gives EHPAD residents and SSIAD patients targeted
// notes in every state: open targets waiting for a result, results written
// later by another professional, closed targets, a macrocible d'admission,
// a free target, and a few notes in the shift that has just ended so the
// relève shows something whenever the demo is opened.
func createTargetedNotes(tx *store.Tx, spec orgSpec, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	aide, okAide := users["as.ehpad"]
	doctor, okDoctor := users["medecin.ehpad"]
	nurse, okNurse := users["ide.ssiad"]
	if !okAide || !okDoctor || !okNurse {
		return nil
	}
	paris := domain.Paris()
	at := func(daysAgo, hour, minute int) time.Time {
		d := today.In(paris).AddDate(0, 0, -daysAgo)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, paris)
	}
	prevDay, prevShift := domain.PreviousShift(today)
	shiftStart, _ := domain.ShiftWindow(prevDay, prevShift)
	inShift := func(minutes int) time.Time { return shiftStart.Add(time.Duration(minutes) * time.Minute) }
	type follow struct {
		by     domain.User
		at     time.Time
		result string
		close  bool
	}
	type plan struct {
		who    int
		in     domain.TargetedNoteInput
		by     domain.User
		at     time.Time
		follow *follow
	}
	people := func(finess string, n int) ([]uuid.UUID, error) {
		var ids []uuid.UUID
		err := tx.Gorm().Raw(`SELECT u.id FROM usagers u JOIN stays s ON s.usager_id = u.id AND s.establishment_id = ? AND s.status = 'admitted'
			WHERE u.merged_into IS NULL ORDER BY u.birth_name, u.id LIMIT ?`, estIDs[finess], n).Scan(&ids).Error
		if err != nil {
			return nil, fmt.Errorf("people of %s: %w", finess, err)
		}
		return ids, nil
	}
	sets := []struct {
		finess string
		plans  []plan
	}{
		{EHPADFINESS, []plan{
			{0, domain.TargetedNoteInput{Target: "douleur", Data: "Se plaint du genou droit à la mobilisation, EVA 6/10.",
				Actions: "Antalgique selon le protocole, coussin de positionnement, infirmière prévenue."}, aide, at(2, 10, 15),
				&follow{doctor, at(2, 16, 30), "EVA 3/10 une heure après ; à réévaluer à chaque toilette.", false}},
			{0, domain.TargetedNoteInput{Target: "chute", Data: "Retrouvée assise au sol près du lit au passage de 6 h 30, dit avoir glissé.",
				Actions: "Relevée à deux, ni douleur ni plaie, surveillance neurologique, médecin et famille prévenus."}, aide, at(9, 6, 40),
				&follow{doctor, at(8, 11, 0), "Pas de lésion à l'examen ; lit abaissé et veilleuse installée.", true}},
			{1, domain.TargetedNoteInput{Target: "alimentation", Macro: "admission",
				Data:    "Entrée en hébergement permanent. Mange seule, texture hachée, boit peu (environ 800 ml par jour).",
				Actions: "Fiche alimentaire et d'hydratation ouverte, goûts recueillis avec sa fille.",
				Results: "Bilan d'entrée partagé en réunion d'équipe."}, aide, at(20, 15, 0), &follow{aide, at(17, 14, 30), "", true}},
			{1, domain.TargetedNoteInput{Target: "hydratation", Data: "A bu 400 ml sur le poste, lèvres sèches.",
				Actions: "Boissons proposées toutes les heures, eau gélifiée en chambre."}, aide, inShift(95), nil},
			{2, domain.TargetedNoteInput{Target: "sommeil", Data: "Réveillée à plusieurs reprises, déambule dans le couloir.",
				Actions: "Réassurance, collation, raccompagnée en chambre."}, aide, inShift(200), nil},
			{2, domain.TargetedNoteInput{Target: "comportement", Data: "Refuse la toilette du matin, agitation verbale.",
				Actions: "Toilette différée à l'après-midi, approche en binôme."}, aide, at(5, 8, 30),
				&follow{doctor, at(4, 17, 0), "Toilette acceptée l'après-midi ; garder cet horaire.", true}},
			{3, domain.TargetedNoteInput{Target: "plaie", Data: "Rougeur persistante au talon gauche (stade 1).",
				Actions: "Décharge du talon, effleurage, matelas à air demandé."}, aide, at(3, 9, 45), nil},
			{3, domain.TargetedNoteInput{Target: "autre", TargetOther: "Appareil auditif", Data: "Appareil auditif gauche introuvable au coucher.",
				Actions: "Recherche en chambre et à la lingerie, famille prévenue."}, aide, inShift(300), nil},
			{4, domain.TargetedNoteInput{Target: "elimination", Data: "Pas de selles depuis 3 jours, abdomen souple.",
				Actions: "Hydratation renforcée, pruneaux au petit déjeuner."}, aide, at(12, 9, 0),
				&follow{doctor, at(10, 10, 0), "Selles normales ce matin.", true}},
		}},
		{SSIADFINESS, []plan{
			{0, domain.TargetedNoteInput{Target: "plaie", Data: "Ulcère de jambe droite, 3 × 2 cm, fibrine 50 %.",
				Actions: "Nettoyage au sérum physiologique, pansement hydrocolloïde, bande de contention."}, nurse, at(4, 8, 20),
				&follow{nurse, at(2, 8, 40), "Fibrine en diminution (30 %), berges propres.", false}},
			{1, domain.TargetedNoteInput{Target: "mobilite", Data: "Se lève difficilement du fauteuil, a failli chuter au passage.",
				Actions: "Fauteuil rehaussé, ergothérapeute sollicité par le service."}, nurse, inShift(60), nil},
			{2, domain.TargetedNoteInput{Target: "humeur", Data: "Triste, dit ne plus avoir envie de sortir depuis le décès de son frère.",
				Actions: "Temps d'écoute, médecin traitant informé."}, nurse, at(15, 9, 10),
				&follow{nurse, at(8, 9, 0), "Plus souriante, a repris la marche avec sa voisine.", true}},
		}},
	}
	for _, set := range sets {
		estab := estIDs[set.finess]
		if estab == uuid.Nil {
			continue
		}
		ids, err := people(set.finess, 5)
		if err != nil {
			return err
		}
		for _, p := range set.plans {
			if p.who >= len(ids) || !p.at.Before(today) {
				continue
			}
			n, err := p.in.Parse()
			if err != nil {
				return fmt.Errorf("targeted note %q: %w", p.in.Data, err)
			}
			n.UsagerID, n.EstablishmentID = ids[p.who], estab
			n.Signed(p.by.ID, p.by.DisplayName, p.at)
			if f := p.follow; f != nil && f.at.Before(today) {
				if f.result != "" {
					if err := n.AddResult("result", f.result, f.by.ID, f.by.DisplayName, f.at); err != nil {
						return fmt.Errorf("result of %q: %w", p.in.Data, err)
					}
				}
				if f.close {
					if err := n.Close("result", "", f.by.ID, f.by.DisplayName, f.at); err != nil {
						return fmt.Errorf("closing %q: %w", p.in.Data, err)
					}
				}
			}
			if err := tx.SaveTargetedNote(&n); err != nil {
				return err
			}
		}
	}
	return nil
}
