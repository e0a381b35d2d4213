package demo

import "github.com/relais-dui/relais/domain"

// professional is a demo account's RPPS number and profession, as the
// administrator enters them on the account page.
type professional struct {
	rpps       string
	profession domain.Profession
}

// professionals are the demo's health professionals: the EHPAD's doctor
// (the prescriber of the demo's prescriptions) and the nurses. The numbers
// are made up, with a valid key.
func professionals() map[string]professional {
	return map[string]professional{
		"medecin.ehpad": {demoRPPS, domain.ProfessionMedecin},
		"ide.ehpad":     {"10001234565", domain.ProfessionInfirmier},
		"ide.ssiad":     {"10006543218", domain.ProfessionInfirmier},
	}
}
