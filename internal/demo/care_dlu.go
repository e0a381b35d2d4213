package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/domain/ins"
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
	// The first resident's identity is qualified (a demonstration INS, her
	// identity card checked), so the demo can show the DLU's CDA and its
	// sending to the (simulated) DMP.
	if err := qualifyDemo(tx, residents[0], nurse, today); err != nil {
		return err
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

// qualifyDemo gives a resident a qualified identity with a demonstration
// INS (OID .11) built from her traits, as INSi would return it.
func qualifyDemo(tx *store.Tx, usager uuid.UUID, by domain.User, today time.Time) error {
	u, err := tx.Usager(usager)
	if err != nil {
		return err
	}
	sex := "1"
	if u.Sex == domain.SexF {
		sex = "2"
	}
	place := u.BirthPlaceCode
	if len(place) != 5 {
		place = "69123"
	}
	number := sex + u.BirthDate.Format("0601") + place + "042"
	key, err := ins.ComputeKey(number)
	if err != nil {
		return fmt.Errorf("demo INS: %w", err)
	}
	at := today.AddDate(0, -1, 0)
	id := domain.Identity{INS: &ins.Matricule{Number: number, Key: key, OID: ins.OIDDemoNIR}, INSRetrievedAt: at,
		Document: domain.DocCNI, DocumentCheckedAt: at, DocumentCheckedBy: by.ID}
	return tx.SaveIdentity(usager, id, domain.IdentityEvent{Kind: domain.EventDocumentChecked, From: domain.IdentityPROV, To: domain.IdentityQUAL,
		At: at, By: by.ID, Description: "Carte nationale d'identité vérifiée, INS de démonstration récupérée : identité qualifiée.",
		Evidence: "Carte nationale d'identité", EvidenceCode: "CN"}, by.DisplayName)
}
