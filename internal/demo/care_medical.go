package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// createMedicalFile gives the first EHPAD residents a medical section (a
// severe allergy on the banner, an intolerance, diagnoses with their CIM-10
// code, history, a consultation report) and leaves one running delegation
// (bris de glace) by the night aide-soignante on the director's home screen
// (no trail rows: the demo does not invent people's accesses).
func createMedicalFile(tx *store.Tx, spec orgSpec, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	doctor, okDoctor := users["medecin.ehpad"]
	aide, okAide := users["as.ehpad"]
	if !okDoctor || !okAide {
		return nil
	}
	estab := estIDs[EHPADFINESS]
	var residents []uuid.UUID
	if err := tx.Gorm().Raw(`SELECT u.id FROM usagers u JOIN stays s ON s.usager_id = u.id AND s.establishment_id = ? AND s.status = 'admitted'
		ORDER BY u.birth_name, u.id LIMIT 4`, estab).Scan(&residents).Error; err != nil {
		return fmt.Errorf("residents: %w", err)
	}
	if len(residents) < 4 {
		return nil
	}
	at := today.AddDate(0, 0, -20)
	items := []struct {
		who int
		in  domain.MedicalItemInput
	}{
		{0, domain.MedicalItemInput{Kind: "allergie", Label: "Pénicillines", Criticality: "high", Reaction: "œdème de Quincke en 2012"}},
		{0, domain.MedicalItemInput{Kind: "diagnostic", Label: "Insuffisance cardiaque", Code: "I50.9", Onset: "2021-06-01"}},
		{0, domain.MedicalItemInput{Kind: "diagnostic", Label: "Maladie d'Alzheimer", Code: "G30.9", Onset: "2019-02-01"}},
		{0, domain.MedicalItemInput{Kind: "antecedent_chirurgical", Label: "Prothèse totale de hanche droite", Onset: "2016-09-12"}},
		{1, domain.MedicalItemInput{Kind: "intolerance", Label: "Lactose", Criticality: "low", Reaction: "troubles digestifs"}},
		{1, domain.MedicalItemInput{Kind: "diagnostic", Label: "Diabète de type 2", Code: "E11.9", Onset: "2008-01-01"}},
		{1, domain.MedicalItemInput{Kind: "antecedent", Label: "Accident vasculaire cérébral ischémique", Code: "I63.9", Onset: "2020-11-03"}},
		{2, domain.MedicalItemInput{Kind: "allergie", Label: "Iode (produits de contraste)", Criticality: "unable-to-assess", Reaction: "érythème"}},
		{2, domain.MedicalItemInput{Kind: "antecedent_familial", Label: "Cancer du sein (mère)"}},
		{3, domain.MedicalItemInput{Kind: "diagnostic", Label: "Hypertension artérielle", Code: "I10"}},
	}
	for _, it := range items {
		m, err := it.in.Parse(today)
		if err != nil {
			return fmt.Errorf("medical item %s: %w", it.in.Label, err)
		}
		m.UsagerID, m.AuthorID, m.AuthorName, m.RecordedAt = residents[it.who], doctor.ID, doctor.DisplayName, at
		if err := tx.SaveMedicalItem(&m); err != nil {
			return err
		}
	}
	report, err := domain.MedicalReportInput{Kind: "consultation", Title: "Consultation de cardiologie", Date: domain.FormatDate(today.AddDate(0, 0, -12)),
		Body: "Insuffisance cardiaque stable sous traitement. Poids à surveiller deux fois par semaine ; alerte si prise de plus de 2 kg en une semaine. Prochain contrôle dans six mois."}.Parse(today)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	report.UsagerID, report.AuthorID, report.AuthorName, report.RecordedAt = residents[0], doctor.ID, doctor.DisplayName, today.AddDate(0, 0, -12)
	if err := tx.SaveMedicalReport(&report); err != nil {
		return err
	}

	d, err := domain.DelegationInput{Section: "medical", Hours: "6", Reason: "Malaise de nuit, appel du 15 : le régulateur demande les antécédents et les allergies."}.Parse(today.Add(-time.Hour))
	if err != nil {
		return fmt.Errorf("delegation: %w", err)
	}
	d.UserID, d.UserName, d.Role, d.EstablishmentID, d.UsagerID = aide.ID, aide.DisplayName, domain.RoleAideSoignant, estab, residents[0]
	if err := tx.SaveDelegation(&d); err != nil {
		return err
	}
	return nil
}
