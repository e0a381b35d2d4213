package dmp

import (
	"fmt"
	"strings"

	"github.com/relais-dui/relais/domain"
	"github.com/relais-dui/relais/internal/pdftext"
)

// PDF renders the DLU for printing: what an emergency team reads first
// (identity, contacts, allergies, treatments, directives) comes first.
func (d DLU) PDF() []byte {
	u, i := d.Usager, d.Info
	var b []pdftext.Block
	head := func(s string) { b = append(b, pdftext.Block{Text: s, Heading: true}) }
	para := func(s string) { b = append(b, pdftext.Block{Text: s}) }
	list := func(lines []string, empty string) {
		if len(lines) == 0 {
			para(empty)
			return
		}
		para("• " + strings.Join(lines, "\n• "))
	}
	orDash := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return "non renseigné"
		}
		return s
	}
	// who writes a name and its phone: "Dr Girard · 04 00 00 00 11".
	who := func(name, phone string) string {
		var parts []string
		for _, p := range []string{name, phone} {
			if strings.TrimSpace(p) != "" {
				parts = append(parts, p)
			}
		}
		return strings.Join(parts, " · ")
	}

	para(fmt.Sprintf("%s · %s\nÉtabli le %s à partir du dossier de l'usager.", d.Establishment.Name, d.Establishment.FinessET, domain.FrenchDateTime(d.At)))

	head("Identité")
	id := fmt.Sprintf("%s\nNé(e) le %s (%d ans) · %s", u.DisplayName(), domain.FrenchDate(u.BirthDate), u.Age(d.At), u.Sex.Label())
	if d.Identity.ShowsINS() {
		id += "\nINS : " + d.Identity.INS.Formatted() + " (" + d.Identity.INS.OIDLabel() + ")"
	}
	id += "\nStatut de l'identité : " + u.IdentityStatus.Label()
	if !d.StayStart.IsZero() {
		id += "\nEntré(e) dans l'établissement le " + domain.FrenchDate(d.StayStart)
	}
	para(id)

	head("Contacts")
	var contacts []string
	for _, c := range d.Trusted {
		contacts = append(contacts, "Personne de confiance : "+contactLine(c))
	}
	for _, c := range d.ToNotify {
		contacts = append(contacts, "Personne à prévenir : "+contactLine(c))
	}
	contacts = append(contacts, "Médecin traitant : "+orDash(who(i.GPName, i.GPPhone)))
	contacts = append(contacts, "Infirmier(e) de l'EHPAD, 24 h/24 : "+orDash(i.NursePhone))
	if i.CoordDoctorName != "" || i.CoordDoctorPhone != "" {
		contacts = append(contacts, "Médecin coordonnateur : "+who(i.CoordDoctorName, i.CoordDoctorPhone))
	}
	contacts = append(contacts, "Établissement de santé de préférence : "+orDash(who(i.HospitalName, i.HospitalPhone)))
	list(contacts, "")

	head("Allergies et intolérances")
	var allergies []string
	for _, m := range d.Allergies {
		s := m.Kind.Label() + " : " + m.Label
		if m.Reaction != "" {
			s += " (" + m.Reaction + ")"
		}
		if m.Criticality != "" {
			s += " · gravité " + m.Criticality.Label()
		}
		allergies = append(allergies, s)
	}
	list(allergies, "Aucune allergie connue enregistrée.")

	head("Traitements en cours")
	var treatments []string
	for _, p := range d.Treatments {
		s := p.Drug + " · " + p.Route.Label() + " · " + p.ScheduleText()
		if !p.End.IsZero() {
			s += " · jusqu'au " + domain.FrenchDate(p.End)
		}
		treatments = append(treatments, s)
	}
	list(treatments, "Aucun traitement en cours.")

	head("Pathologies et antécédents")
	var problems []string
	for _, m := range append(append([]domain.MedicalItem{}, d.Problems...), d.History...) {
		s := m.Kind.Label() + " : " + m.Label
		if m.Code != "" {
			s += " (" + m.Code + ")"
		}
		if !m.Onset.IsZero() {
			s += " · depuis le " + domain.FrenchDate(m.Onset)
		}
		problems = append(problems, s)
	}
	list(problems, "Aucun enregistré.")

	head("Directives anticipées, soins palliatifs")
	dir := "Directives anticipées : " + i.Directives.Label()
	if i.DirectivesAt != "" {
		dir += " · conservées : " + i.DirectivesAt
	}
	para(dir + "\nSoins palliatifs en cours : " + i.Palliative.Label())

	head("Autonomie et appareillages")
	gir := "GIR non renseigné"
	if i.GIR > 0 {
		gir = fmt.Sprintf("GIR %d", i.GIR)
		if !i.GIRDate.IsZero() {
			gir += " (évalué le " + domain.FrenchDate(i.GIRDate) + ")"
		}
	}
	devices := strings.Join(i.DeviceLabels(), ", ")
	if devices == "" {
		devices = "aucun"
	}
	para(gir + "\nAppareillages, prothèses : " + devices)

	head("État du patient et risques")
	if !i.StatesChecked {
		para("Non renseigné.")
	} else {
		for _, g := range domain.StateGroups {
			var yes []string
			for _, s := range g.States {
				if i.States[s] {
					yes = append(yes, s.Label())
				}
			}
			if len(yes) == 0 {
				yes = []string{"rien de signalé"}
			}
			para(g.Title + " : " + strings.Join(yes, ", "))
		}
	}
	bmr := "Bactérie multirésistante (BMR) : " + i.BMR.Label()
	if i.BMR == domain.Yes && i.BMRDetail != "" {
		bmr += " · " + i.BMRDetail
	}
	para(bmr)

	if i.Comment != "" {
		head("Commentaire")
		para(i.Comment)
	}
	if m := d.Missing(); len(m) > 0 {
		head("Informations manquantes")
		list(m, "")
	}
	if !i.UpdatedAt.IsZero() {
		para("Données du DLU mises à jour le " + domain.FrenchDateTime(i.UpdatedAt) + " par " + i.UpdatedByName + ".")
	}
	return pdftext.Render("Document de liaison d'urgence (DLU)", b)
}
