package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/store"
)

// createDLU completes the emergency liaison document (DLU) of the first
// EHPAD resident and half of the second one's, so the DLU page shows both a
// ready document and the list of what remains to fill in.
func createDLU(tx *store.Tx, spec orgSpec, estIDs map[string]uuid.UUID, users map[string]domain.User, today time.Time) error {
	nurse, ok := users["ide.ehpad"]
	if !ok {
		return nil
	}
	estab := estIDs[EHPADFINESS]
	var residents []uuid.UUID
	if err := tx.Gorm().Raw(`SELECT u.id FROM usagers u JOIN stays s ON s.usager_id = u.id AND s.establishment_id = ? AND s.status = 'admitted'
		ORDER BY u.birth_name, u.id LIMIT 2`, estab).Scan(&residents).Error; err != nil {
		return fmt.Errorf("residents: %w", err)
	}
	if len(residents) < 2 {
		return nil
	}
	forms := []domain.DLUInput{
		{GIR: "2", GIRDate: domain.FormatDate(today.AddDate(0, -3, 0)), Devices: []string{"protheses_dentaires", "appareil_auditif", "prothese_articulaire"},
			Directives: "oui", DirectivesAt: "Classeur de soins (bureau infirmier) ; copie chez la personne de confiance", Palliative: "non",
			States: []string{"peut_alerter", "desoriente", "deficit_auditif", "chutes", "deambulation", "risque_escarre"}, StatesChecked: true,
			BMR: "non", HospitalName: "Hôpital de la Croix-Rousse (fictif)", HospitalPhone: "04 00 00 00 10",
			GPName: "Dr Paul Girard (fictif)", GPPhone: "04 00 00 00 11", NursePhone: "04 00 00 00 12",
			CoordDoctorName: "Dr Hélène Faure (fictif)", CoordDoctorPhone: "04 00 00 00 13",
			Comment: "Malentendante : parler face à elle. Se calme quand on lui parle de son jardin."},
		{GIR: "4", Devices: []string{"lunettes"}, Directives: "non", NursePhone: "04 00 00 00 12"},
	}
	for i, in := range forms {
		d, err := in.Parse(today)
		if err != nil {
			return fmt.Errorf("DLU %d: %w", i+1, err)
		}
		d.UsagerID, d.UpdatedBy, d.UpdatedByName, d.UpdatedAt = residents[i], nurse.ID, nurse.DisplayName, today.AddDate(0, 0, -2)
		if err := tx.SaveDLUInfo(&d); err != nil {
			return err
		}
	}
	return nil
}
