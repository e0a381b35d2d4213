package demo

import (
	"fmt"
	"strings"

	"github.com/relais-dui/relais/domain"
)

// FINESS numbers of the demo. They have the right shape but are made up:
// no real establishment is meant.
const (
	TilleulsFINESS = "690000017" // Association Les Tilleuls (EJ)
	EHPADFINESS    = "690000025" // EHPAD Les Tilleuls
	SSIADFINESS    = "690000033" // SSIAD du Val de Saône
	DITEPFINESS    = "690000041" // DITEP La Passerelle
	HorizonFINESS  = "710000013" // Fondation Horizon (EJ)
	FAMFINESS      = "710000021" // FAM Les Cèdres
)

// orgSpec is one demo organisation and its establishments.
type orgSpec struct {
	FINESS         string
	Name           string
	Establishments []estSpec
}

// estSpec is a demo establishment with the address its residents live at.
type estSpec struct {
	FINESS     string
	Name       string
	Category   domain.Category
	Address    string
	PostalCode string
	City       string
}

func organisations() []orgSpec {
	return []orgSpec{
		{FINESS: TilleulsFINESS, Name: "Association Les Tilleuls", Establishments: []estSpec{
			{EHPADFINESS, "EHPAD Les Tilleuls", domain.CatEHPAD, "12 rue des Tilleuls", "69250", "Neuville-sur-Saône"},
			{SSIADFINESS, "SSIAD du Val de Saône", domain.CatSSIAD, "3 place de la Mairie", "69250", "Neuville-sur-Saône"},
			{DITEPFINESS, "DITEP La Passerelle", domain.CatDITEP, "45 chemin des Écoliers", "69400", "Villefranche-sur-Saône"},
		}},
		{FINESS: HorizonFINESS, Name: "Fondation Horizon", Establishments: []estSpec{
			{FAMFINESS, "FAM Les Cèdres", domain.CatFAM, "8 allée des Cèdres", "71000", "Mâcon"},
		}},
	}
}

// Account is a demo login. Every account gets the password given to Load.
type Account struct {
	Username    string
	DisplayName string
	Role        domain.Role
	OrgFINESS   string
	// Establishments are FINESS ET numbers where the role is held.
	Establishments []string
}

// Accounts lists the demo logins, for Load, `relais dev`'s banner and the docs.
func Accounts() []Account {
	return []Account{
		{"admin", "Sophie Marchand", domain.RoleAdministrateur, TilleulsFINESS, []string{EHPADFINESS, SSIADFINESS, DITEPFINESS}},
		{"dir.ehpad", "Philippe Garnier", domain.RoleDirecteur, TilleulsFINESS, []string{EHPADFINESS}},
		{"medecin.ehpad", "Anne Lemoine", domain.RoleMedecin, TilleulsFINESS, []string{EHPADFINESS}},
		{"ide.ehpad", "Claire Morel", domain.RoleInfirmier, TilleulsFINESS, []string{EHPADFINESS}},
		{"as.ehpad", "Karima Benali", domain.RoleAideSoignant, TilleulsFINESS, []string{EHPADFINESS}},
		{"ide.ssiad", "Julien Perrin", domain.RoleInfirmier, TilleulsFINESS, []string{SSIADFINESS}},
		{"educ.ditep", "Léa Fontaine", domain.RoleEducateur, TilleulsFINESS, []string{DITEPFINESS}},
		{"admin.horizon", "Marc Aubert", domain.RoleAdministrateur, HorizonFINESS, []string{FAMFINESS}},
	}
}

// EstablishmentNames names the establishments of a, in order.
func (a Account) EstablishmentNames() []string {
	names := map[string]string{}
	for _, o := range organisations() {
		for _, e := range o.Establishments {
			names[e.FINESS] = e.Name
		}
	}
	out := make([]string, len(a.Establishments))
	for i, f := range a.Establishments {
		out[i] = names[f]
	}
	return out
}

// person is one demo usager with their first stay(s), entourage and consents,
// all as typed in the forms so that the domain parsers check them.
type person struct {
	identity domain.UsagerInput
	stays    []stayPlan
	contacts []domain.ContactInput
	consents []consentPlan
	notes    []notePlan
	events   []eventPlan
	plan     string // "", "draft", "running", "paused", "revised": the personalised plan to build
	liaison  []liaisonPlan
	docs     []docPlan
}

// docPlan is a document of the record (a generated one-page PDF).
type docPlan struct {
	section domain.Section
	kind    domain.DocumentKind
	title   string
	lines   []string
	author  string
	at      string // 2006-01-02T15:04, Europe/Paris
}

// liaisonPlan is a note of the cahier de liaison about the person.
type liaisonPlan struct {
	section  domain.Section
	priority domain.Priority
	body     string
	at       string // 2006-01-02T15:04, Europe/Paris
	author   string
	roles    []domain.Role
	reply    string // an answer by replier, when set
	replier  string
}

// notePlan is a section journal entry written by a demo account.
type notePlan struct {
	section domain.Section
	body    string
	at      string // 2006-01-02T15:04, Europe/Paris
	author  string // username
}

// eventPlan is an event recorded by a demo account.
type eventPlan struct {
	input  domain.EventInput
	author string
}

// stayPlan walks a stay through the domain state machine: pre-admission,
// then admission when Admitted is set, then discharge when Discharged is set.
type stayPlan struct {
	FINESS       string
	Mode         domain.Mode
	PlannedEntry string
	Admitted     string
	Discharged   string
	Reason       string
}

// consentPlan is a consent and the account that recorded it.
type consentPlan struct {
	input      domain.ConsentInput
	recordedBy string // username
}

// mix is splitmix64: a stateless hash giving every generated trait a fixed,
// well-spread value from the person's index, so the demo is the same on
// every machine and every Go version (math/rand makes no such promise).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// pick returns a value in [0, n) for (stream, i, salt).
func pick(stream, i, salt uint64, n int) int {
	return int(mix(stream<<40^i<<8^salt) % uint64(n))
}

var (
	womenOld = []string{"Jeanne", "Marie", "Marguerite", "Germaine", "Suzanne", "Madeleine", "Simone", "Yvonne", "Paulette",
		"Odette", "Denise", "Jacqueline", "Monique", "Colette", "Huguette", "Raymonde", "Lucienne", "Andrée", "Gisèle", "Renée",
		"Geneviève", "Françoise", "Thérèse", "Josette", "Ginette", "Lucette", "Solange"}
	menOld = []string{"Jean", "Pierre", "André", "René", "Louis", "Marcel", "Roger", "Robert", "Georges", "Henri", "Maurice",
		"Raymond", "Lucien", "Paul", "Albert", "Bernard", "Jacques", "Michel", "Gaston", "Émile", "Fernand", "Marius"}
	girls = []string{"Inès", "Léa", "Chloé", "Manon", "Camille", "Jade", "Lina", "Zoé", "Emma", "Lola", "Sarah", "Maëlys"}
	boys  = []string{"Lucas", "Enzo", "Nathan", "Mathis", "Hugo", "Théo", "Yanis", "Noah", "Kylian", "Rayan", "Tom", "Ethan",
		"Maxime", "Axel", "Louis", "Adam"}
	adultsF = []string{"Nathalie", "Sandrine", "Céline", "Aurélie", "Stéphanie", "Émilie", "Julie", "Karine", "Virginie"}
	adultsM = []string{"Sébastien", "Nicolas", "Julien", "Christophe", "Jérôme", "Frédéric", "Mickaël", "Olivier", "Cédric"}
	// Surnames, each used once as a usager's birth name so the list reads
	// like a real one (no two "MARTIN Jeanne").
	surnames = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
		"Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
		"Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Morin", "Mathieu", "Clément",
		"Gauthier", "Dumont", "Lopez", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis",
		"Lemaire", "Duval", "Joly", "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Perez", "Dufour",
		"Blanchard", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Colin", "Renard", "Arnaud", "Caron"}
	// Married names taken by some women born before 1950.
	// One per older person (whether used or not), none among surnames, so
	// that no two usagers share a name.
	marriedNames = []string{"Pelletier", "Vidal", "Bourgeois", "Picard", "Gaillard", "Lacroix", "Fabre", "Dupuis",
		"Olivier", "Hubert", "Guillot", "Rivière", "Moulin", "Berger", "Fleury", "Deschamps", "Carpentier", "Julien",
		"Benoît", "Maillard", "Marchal", "Aubry", "Vasseur", "Renaud", "Jacquet", "Collet", "Prévost", "Poirier",
		"Charpentier", "Royer", "Huet", "Baron", "Dupuy", "Pons", "Lainé", "Carré", "Breton", "Rémy", "Schneider",
		"Perrot", "Guyot", "Barre", "Marty", "Cousin", "Leclerc", "Bouvier", "Chauvin", "Tessier"}
	birthPlaces = []string{"69123", "69266", "69264", "01053", "71270", "42218", "38185", "75056", "69029", "01283",
		"99352", "99127", "99139"}
	// Communes of the SSIAD's area and of the DITEP's families.
	communes = []struct{ PostalCode, City string }{
		{"69250", "Neuville-sur-Saône"}, {"01600", "Trévoux"}, {"69480", "Anse"}, {"69270", "Fontaines-sur-Saône"},
		{"69730", "Genay"}, {"69650", "Saint-Germain-au-Mont-d'Or"}, {"69400", "Villefranche-sur-Saône"},
		{"01600", "Reyrieux"}, {"69250", "Montanay"},
	}
	streets = []string{"rue de la République", "chemin du Moulin", "avenue des Platanes", "rue Victor Hugo",
		"impasse des Vignes", "rue du Port", "allée des Acacias", "route de Trévoux", "rue Pasteur", "place de l'Église"}
)

// phone gives a number from the ranges ARCEP keeps for fiction (04 65 71…,
// 06 39 98…), so no real subscriber is ever called from the demo.
func phone(mobile bool, n int) string {
	if mobile {
		return fmt.Sprintf("06 39 98 %02d %02d", n/100%100, n%100)
	}
	return fmt.Sprintf("04 65 71 %02d %02d", n/100%100, n%100)
}

func date(y, m, d int) string { return fmt.Sprintf("%04d-%02d-%02d", y, m, d) }

// asciiLower folds a name for an e-mail address.
func asciiLower(s string) string {
	s = strings.ToLower(domain.SearchKey(s))
	return strings.NewReplacer(" ", "", "'", "", "-", "").Replace(s)
}

// people returns the usagers of an organisation, deterministically.
func people(orgFINESS string) []person {
	switch orgFINESS {
	case TilleulsFINESS:
		var out []person
		names := 0
		for i := 0; i < 28; i++ {
			out = append(out, ehpadResident(i, surnames[names], marriedNames[names]))
			names++
		}
		for i := 0; i < 18; i++ {
			out = append(out, ssiadPatient(i, surnames[names], marriedNames[names]))
			names++
		}
		for i := 0; i < 14; i++ {
			out = append(out, ditepChild(i, surnames[names]))
			names++
		}
		out = append(out, duplicateEntry(out[3]))
		out = append(out, insiKnown()...)
		addActivity(out)
		addPlans(out)
		addLiaison(out)
		return out
	case HorizonFINESS:
		var out []person
		for i := 0; i < 5; i++ {
			out = append(out, famResident(i, surnames[60+i]))
		}
		return out
	}
	return nil
}

// elder builds the identity of a person born between from and from+span-1;
// some women use their married name.
func elder(stream uint64, i int, surname, married string, from, span int, femaleShare int) (domain.UsagerInput, bool) {
	u := uint64(i)
	female := pick(stream, u, 1, 10) < femaleShare
	y := from + pick(stream, u, 2, span)
	in := domain.UsagerInput{
		BirthName:      surname,
		BirthDate:      date(y, 1+pick(stream, u, 3, 12), 1+pick(stream, u, 4, 28)),
		BirthPlaceCode: birthPlaces[pick(stream, u, 5, len(birthPlaces))],
	}
	pool := menOld
	in.Sex = string(domain.SexM)
	if female {
		pool = womenOld
		in.Sex = string(domain.SexF)
		if pick(stream, u, 6, 10) < 6 {
			in.UsedName = married
		}
	}
	first := []string{pool[pick(stream, u, 8, len(pool))]}
	if extra := pool[pick(stream, u, 9, len(pool))]; extra != first[0] && pick(stream, u, 10, 3) > 0 {
		first = append(first, extra)
	}
	in.FirstNames = strings.Join(first, " ")
	return in, female
}

// familyName is the name the usager's children carry.
func familyName(in domain.UsagerInput) string {
	if in.UsedName != "" {
		return in.UsedName
	}
	return in.BirthName
}

// elderContacts gives an older person a child as personne de confiance and,
// for some, a legal protection measure. A person under tutelle needs the
// judge to designate a personne de confiance, so they get none here.
func elderContacts(stream uint64, i int, in domain.UsagerInput, female bool, addr string) []domain.ContactInput {
	u := uint64(i)
	fam := familyName(in) // children carry the family name…
	if female && in.UsedName == "" && pick(stream, u, 20, 3) == 0 {
		fam = surnames[len(surnames)-1-pick(stream, u, 21, 10)] // …a niece by marriage does not
	}
	childF := pick(stream, u, 22, 2) == 0
	child := domain.ContactInput{LastName: fam, Relationship: "Fils", Phone: phone(true, 100*i+11),
		Address: fmt.Sprintf("%d %s, %s", 2+pick(stream, u, 23, 80), streets[pick(stream, u, 24, len(streets))], addr)}
	if childF {
		child.FirstName, child.Relationship = adultsF[pick(stream, u, 25, len(adultsF))], "Fille"
	} else {
		child.FirstName = adultsM[pick(stream, u, 25, len(adultsM))]
	}
	if fam != familyName(in) {
		child.Relationship = "Nièce"
		child.FirstName = adultsF[pick(stream, u, 25, len(adultsF))]
	}
	child.Email = asciiLower(child.FirstName) + "." + asciiLower(child.LastName) + "@example.org"
	switch i % 7 {
	case 3: // tutelle exercised by an association of mandataires
		child.Roles = []string{string(domain.ContactPersonneAPrevenir)}
		return []domain.ContactInput{
			{LastName: "UDAF du Rhône", Relationship: "Mandataire judiciaire", Roles: []string{string(domain.ContactRepresentantLegal)},
				LegalProtection: "tutelle", Phone: "04 65 71 90 00", Address: "12 rue Servient, 69003 Lyon"},
			child,
		}
	case 5: // curatelle exercised by the child
		child.Roles = []string{string(domain.ContactRepresentantLegal), string(domain.ContactPersonneConfiance), string(domain.ContactPersonneAPrevenir)}
		child.LegalProtection = "curatelle"
		return []domain.ContactInput{child}
	}
	child.Roles = []string{string(domain.ContactPersonneConfiance), string(domain.ContactPersonneAPrevenir)}
	out := []domain.ContactInput{child}
	if i%3 == 1 {
		second := domain.ContactInput{LastName: familyName(in), FirstName: adultsM[pick(stream, u, 26, len(adultsM))],
			Relationship: "Petit-fils", Roles: []string{string(domain.ContactReferentFamilial)}, Phone: phone(true, 100*i+12)}
		out = append(out, second)
	}
	return out
}

// insiKnown are people whose traits match identities of the INSi test
// table (insi/insitest), so "Rechercher l'INS" finds them in the demo.
func insiKnown() []person {
	mk := func(name, firsts, birth, sex, place, finess string, mode domain.Mode, admitted string) person {
		in := domain.UsagerInput{BirthName: name, FirstNames: firsts, BirthDate: birth, Sex: sex, BirthPlaceCode: place}
		return person{identity: in, stays: []stayPlan{{FINESS: finess, Mode: mode, Admitted: admitted}},
			contacts: []domain.ContactInput{{LastName: name, FirstName: "Claire", Relationship: "Nièce",
				Roles: []string{string(domain.ContactPersonneAPrevenir)}, Phone: "06 39 98 29 01"}}}
	}
	return []person{
		mk("Dupont", "Jeanne Marie", "1931-04-12", "F", "35238", EHPADFINESS, domain.ModePermanent, "2024-09-16"),
		mk("Santoni", "Paul Antoine", "1935-02-14", "M", "2A004", EHPADFINESS, domain.ModePermanent, "2025-01-06"),
		mk("N'Diaye", "Aminata", "1948-11-02", "F", "99341", EHPADFINESS, domain.ModeTemporaire, "2026-11-02"),
		mk("Lefèvre-Durand", "Jean Marie", "1942-07-30", "M", "44109", SSIADFINESS, domain.ModeDomicile, "2025-05-12"),
	}
}

// duplicateEntry is the SSIAD's old record of an EHPAD resident, typed with a
// spelling slip ("Tomas" for "Thomas") and one first name only, closed when
// she entered the EHPAD: the identitovigilance screens propose the pair.
func duplicateEntry(resident person) person {
	in := resident.identity
	in.BirthName = strings.ToUpper(strings.Replace(in.BirthName, "Th", "T", 1))
	in.FirstNames = strings.Fields(in.FirstNames)[0]
	in.UsedName, in.Address, in.PostalCode, in.City = "", "", "", ""
	return person{identity: in, stays: []stayPlan{{FINESS: SSIADFINESS, Mode: domain.ModeDomicile,
		Admitted: "2014-03-03", Discharged: "2016-09-30", Reason: "Transfert vers un autre établissement"}},
		contacts: resident.contacts[:1]}
}

func ehpadResident(i int, surname, married string) person {
	const stream = 1
	u := uint64(i)
	in, female := elder(stream, i, surname, married, 1925, 21, 7)
	in.Address, in.PostalCode, in.City = "12 rue des Tilleuls", "69250", "Neuville-sur-Saône"
	p := person{identity: in}
	admitted := date(2017+pick(stream, u, 30, 9), 1+pick(stream, u, 31, 12), 1+pick(stream, u, 32, 28))
	switch {
	case i < 20:
		p.stays = []stayPlan{{FINESS: EHPADFINESS, Mode: domain.ModePermanent, Admitted: admitted}}
	case i < 22: // short stays while the family is away or after a hospital stay
		p.stays = []stayPlan{{FINESS: EHPADFINESS, Mode: domain.ModeTemporaire, Admitted: date(2026, 10, 5+7*(i-20))}}
	case i < 25:
		planned := ""
		if i != 24 {
			planned = date(2027, 1, 4+7*(i-22))
		}
		p.stays = []stayPlan{{FINESS: EHPADFINESS, Mode: domain.ModePermanent, PlannedEntry: planned}}
	default:
		reasons := []string{"Décès", "Hospitalisation", "Retour à domicile"}
		mode := domain.ModePermanent
		if i == 27 {
			mode = domain.ModeTemporaire
		}
		p.stays = []stayPlan{{FINESS: EHPADFINESS, Mode: mode, Admitted: date(2021+i-25, 3, 15),
			Discharged: date(2024, 2+3*(i-25), 10), Reason: reasons[i-25]}}
	}
	p.contacts = elderContacts(stream, i, in, female, "69250 Neuville-sur-Saône")
	if i < 20 && i%4 == 0 {
		p.consents = append(p.consents, consentPlan{domain.ConsentInput{Scope: string(domain.ConsentPartageEquipe),
			Decision: "granted", GivenOn: admitted, GivenBy: "usager"}, "dir.ehpad"})
	}
	if i < 20 && i%8 == 0 {
		p.consents = append(p.consents, consentPlan{domain.ConsentInput{Scope: string(domain.ConsentDMP),
			Decision: "granted", GivenOn: admitted, GivenBy: "usager"}, "medecin.ehpad"})
	}
	if i == 6 {
		p.consents = append(p.consents, consentPlan{domain.ConsentInput{Scope: string(domain.ConsentDroitImage),
			Decision: "refused", GivenOn: "2025-06-02", GivenBy: "personne_de_confiance",
			GivenByName: p.contacts[0].FirstName + " " + p.contacts[0].LastName}, "dir.ehpad"})
	}
	return p
}

func ssiadPatient(i int, surname, married string) person {
	const stream = 2
	u := uint64(i)
	in, female := elder(stream, i, surname, married, 1930, 21, 6)
	c := communes[pick(stream, u, 40, len(communes))]
	in.Address = fmt.Sprintf("%d %s", 1+pick(stream, u, 41, 60), streets[pick(stream, u, 42, len(streets))])
	in.PostalCode, in.City = c.PostalCode, c.City
	in.Phone = phone(false, 100*i+40)
	p := person{identity: in}
	admitted := date(2022+pick(stream, u, 43, 4), 1+pick(stream, u, 44, 12), 1+pick(stream, u, 45, 28))
	switch {
	case i < 14:
		p.stays = []stayPlan{{FINESS: SSIADFINESS, Mode: domain.ModeDomicile, Admitted: admitted}}
	case i < 16:
		p.stays = []stayPlan{{FINESS: SSIADFINESS, Mode: domain.ModeDomicile, PlannedEntry: date(2026, 12, 1+7*(i-14))}}
	case i == 16:
		p.stays = []stayPlan{{FINESS: SSIADFINESS, Mode: domain.ModeDomicile, Admitted: "2023-09-11",
			Discharged: "2025-04-30", Reason: "Hospitalisation"}}
	default:
		// Cared for at home, then moved into the association's EHPAD: one
		// person, two stays, so the record shows a path across services.
		p.stays = []stayPlan{
			{FINESS: SSIADFINESS, Mode: domain.ModeDomicile, Admitted: "2022-05-02", Discharged: "2025-09-26",
				Reason: "Transfert vers un autre établissement"},
			{FINESS: EHPADFINESS, Mode: domain.ModePermanent, Admitted: "2025-09-29"},
		}
	}
	p.contacts = elderContacts(stream, i, in, female, c.PostalCode+" "+c.City)
	if i%4 == 2 { // a spouse at home, the first helper
		spouse := domain.ContactInput{LastName: familyName(in), Relationship: "Épouse", FirstName: womenOld[pick(stream, u, 46, len(womenOld))],
			Roles: []string{string(domain.ContactAidant), string(domain.ContactPersonneAPrevenir)}, Phone: in.Phone}
		if female {
			spouse.Relationship, spouse.FirstName = "Époux", menOld[pick(stream, u, 46, len(menOld))]
		}
		p.contacts = append([]domain.ContactInput{spouse}, p.contacts...)
	}
	if i < 14 && i%5 == 0 {
		p.consents = append(p.consents, consentPlan{domain.ConsentInput{Scope: string(domain.ConsentPartageExterne),
			Decision: "granted", GivenOn: admitted, GivenBy: "usager"}, "ide.ssiad"})
	}
	return p
}

func ditepChild(i int, surname string) person {
	const stream = 3
	u := uint64(i)
	y := 2008 + pick(stream, u, 50, 9)
	if i == 13 {
		y = 2008 // the young adult who left at the end of the notification
	}
	in := domain.UsagerInput{BirthName: surname, BirthDate: date(y, 1+pick(stream, u, 51, 12), 1+pick(stream, u, 52, 28)),
		BirthPlaceCode: birthPlaces[pick(stream, u, 53, 7)]}
	if pick(stream, u, 54, 10) < 3 {
		in.Sex, in.FirstNames = string(domain.SexF), girls[pick(stream, u, 55, len(girls))]
	} else { // DITEP are attended mostly by boys
		in.Sex, in.FirstNames = string(domain.SexM), boys[pick(stream, u, 55, len(boys))]
	}
	c := communes[3+pick(stream, u, 56, len(communes)-3)]
	in.Address = fmt.Sprintf("%d %s", 1+pick(stream, u, 57, 90), streets[pick(stream, u, 58, len(streets))])
	in.PostalCode, in.City = c.PostalCode, c.City
	p := person{identity: in}
	entry := y + 7 + pick(stream, u, 59, 3)
	if entry < 2018 {
		entry = 2018
	}
	if entry > 2025 {
		entry = 2025
	}
	admitted := date(entry, 9, 1+pick(stream, u, 60, 5))
	modes := []domain.Mode{domain.ModeInternat, domain.ModeSemiInt, domain.ModeSemiInt, domain.ModeExternat, domain.ModeSemiInt, domain.ModeInternat}
	switch {
	case i < 12:
		p.stays = []stayPlan{{FINESS: DITEPFINESS, Mode: modes[i%len(modes)], Admitted: admitted}}
	case i == 12:
		p.stays = []stayPlan{{FINESS: DITEPFINESS, Mode: domain.ModeSemiInt, PlannedEntry: "2027-01-04"}}
	default:
		p.stays = []stayPlan{{FINESS: DITEPFINESS, Mode: domain.ModeInternat, Admitted: "2019-09-02",
			Discharged: "2025-07-04", Reason: "Fin de notification MDPH"}}
	}
	home := in.Address + ", " + in.PostalCode + " " + in.City
	mother := domain.ContactInput{LastName: surname, FirstName: adultsF[pick(stream, u, 61, len(adultsF))], Relationship: "Mère",
		Roles:           []string{string(domain.ContactRepresentantLegal), string(domain.ContactPersonneAPrevenir)},
		LegalProtection: "autorite_parentale", Phone: phone(true, 100*i+61), Address: home}
	father := domain.ContactInput{LastName: surname, FirstName: adultsM[pick(stream, u, 62, len(adultsM))], Relationship: "Père",
		Roles: []string{string(domain.ContactRepresentantLegal)}, LegalProtection: "autorite_parentale", Phone: phone(true, 100*i+62)}
	if i == 13 { // now of age: the young adult decides alone; the parents are only to be told
		mother.Roles, mother.LegalProtection = []string{string(domain.ContactPersonneAPrevenir)}, ""
		p.contacts = []domain.ContactInput{mother}
	} else if i%5 == 2 { // single-parent family, grandmother as second contact
		p.contacts = []domain.ContactInput{mother, {LastName: surnames[len(surnames)-1-i], FirstName: womenOld[i], Relationship: "Grand-mère",
			Roles: []string{string(domain.ContactPersonneAPrevenir)}, Phone: phone(false, 100*i+63)}}
	} else {
		p.contacts = []domain.ContactInput{mother, father}
	}
	mname := mother.FirstName + " " + mother.LastName
	if i < 12 && i%3 == 0 {
		p.consents = append(p.consents, consentPlan{domain.ConsentInput{Scope: string(domain.ConsentDroitImage),
			Decision: "refused", GivenOn: admitted, GivenBy: "representant_legal", GivenByName: mname}, "educ.ditep"})
	}
	if i < 12 && i%4 == 1 {
		p.consents = append(p.consents, consentPlan{domain.ConsentInput{Scope: string(domain.ConsentPartageExterne),
			Decision: "granted", GivenOn: admitted, GivenBy: "representant_legal", GivenByName: mname}, "educ.ditep"})
	}
	return p
}

func famResident(i int, surname string) person {
	const stream = 4
	u := uint64(i)
	y := 1972 + pick(stream, u, 70, 27)
	in := domain.UsagerInput{BirthName: surname, BirthDate: date(y, 1+pick(stream, u, 71, 12), 1+pick(stream, u, 72, 28)),
		BirthPlaceCode: []string{"71270", "71076", "01053", "21231", "69123"}[i],
		Address:        "8 allée des Cèdres", PostalCode: "71000", City: "Mâcon"}
	if i%2 == 0 {
		in.Sex, in.FirstNames = string(domain.SexM), adultsM[i]+" "+menOld[i]
	} else {
		in.Sex, in.FirstNames = string(domain.SexF), adultsF[i]+" "+womenOld[i]
	}
	mode := domain.ModePermanent
	if i == 4 {
		mode = domain.ModeJour
	}
	p := person{identity: in, stays: []stayPlan{{FINESS: FAMFINESS, Mode: mode, Admitted: date(2012+2*i, 6, 3+i)}}}
	switch i % 3 {
	case 0:
		p.contacts = []domain.ContactInput{{LastName: "ATMP de Saône-et-Loire", Relationship: "Mandataire judiciaire",
			Roles: []string{string(domain.ContactRepresentantLegal)}, LegalProtection: "tutelle", Phone: "04 65 71 95 10",
			Address: "5 rue de la Préfecture, 71000 Mâcon"},
			{LastName: surname, FirstName: womenOld[i+5], Relationship: "Mère", Roles: []string{string(domain.ContactPersonneAPrevenir)},
				Phone: phone(false, 100*i+71)}}
	case 1:
		p.contacts = []domain.ContactInput{{LastName: surname, FirstName: menOld[i+5], Relationship: "Père",
			Roles:           []string{string(domain.ContactRepresentantLegal), string(domain.ContactPersonneAPrevenir)},
			LegalProtection: "habilitation_familiale", Phone: phone(true, 100*i+72)}}
	default:
		p.contacts = []domain.ContactInput{{LastName: surname, FirstName: adultsF[i+3], Relationship: "Sœur",
			Roles:           []string{string(domain.ContactRepresentantLegal), string(domain.ContactPersonneConfiance), string(domain.ContactPersonneAPrevenir)},
			LegalProtection: "curatelle_renforcee", Email: asciiLower(adultsF[i+3]) + "." + asciiLower(surname) + "@example.org"}}
	}
	if i < 2 {
		p.consents = []consentPlan{{domain.ConsentInput{Scope: string(domain.ConsentPartageEquipe), Decision: "granted",
			GivenOn: date(2012+2*i, 6, 3+i), GivenBy: "representant_legal", GivenByName: contactName(p.contacts[0])}, "admin.horizon"}}
	}
	return p
}

func contactName(c domain.ContactInput) string {
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// addActivity gives the demo's current residents, patients and children a
// few weeks of journal notes and events, so the timeline, the sections and
// their habilitations have something to show. Dates are fixed (November
// 2026) to keep the demo deterministic.
func addActivity(people []person) {
	for i := range people {
		p := &people[i]
		if len(p.stays) == 0 || p.stays[0].Discharged != "" || p.stays[0].Admitted == "" {
			continue
		}
		day := func(d int, hm string) string { return fmt.Sprintf("2026-11-%02d%s", d, hm) }
		switch p.stays[0].FINESS {
		case EHPADFINESS:
			switch i % 4 {
			case 0:
				p.docs = append(p.docs, docPlan{domain.SectionAdmin, domain.DocKindContratSejour, "Contrat de séjour signé",
					[]string{"EHPAD Les Tilleuls", "Contrat de séjour", "Signé par la personne accueillie et la direction."}, "dir.ehpad", day(3, "T10:00")})
			case 1:
				p.docs = append(p.docs, docPlan{domain.SectionMedical, domain.DocKindCompteRendu, "Compte rendu d'hospitalisation",
					[]string{"Centre hospitalier de Villefranche", "Compte rendu d'hospitalisation", "Déshydratation, réhydratation, retour en EHPAD."}, "medecin.ehpad", day(14, "T16:00")})
			}
			p.notes = append(p.notes,
				notePlan{domain.SectionCare, "Toilette au lavabo avec aide partielle, bonne participation. Appétit conservé.", day(2+i%18, "T09:30"), "as.ehpad"},
				notePlan{domain.SectionCare, "Nuit calme. Se lève seule pour aller aux toilettes, déambulateur à portée.", day(3+i%18, "T06:45"), "as.ehpad"})
			if i%2 == 0 {
				p.notes = append(p.notes, notePlan{domain.SectionMedical, "Visite mensuelle : tension 13/8, pas de plainte douloureuse. Traitement inchangé.", day(5+i%15, "T11:00"), "medecin.ehpad"})
			}
			if i%3 == 0 {
				p.events = append(p.events, eventPlan{domain.EventInput{Section: "care", Type: string(domain.EventFall), Title: "Chute dans la chambre sans blessure apparente",
					Start: day(8+i%12, "T07:10"), Place: "Chambre", Status: string(domain.EventDone), Participants: "Aide-soignante de nuit (présente)"}, "as.ehpad"})
			}
			if i%4 == 1 {
				p.events = append(p.events, eventPlan{domain.EventInput{Section: "medical", Type: string(domain.EventHospitalisation), Title: "Hospitalisation pour déshydratation",
					Start: day(10+i%8, "T15:00"), End: day(13+i%8, "T11:00"), Place: "Hôpital de Villefranche", Status: string(domain.EventDone)}, "medecin.ehpad"})
			}
			if i%5 == 2 {
				p.events = append(p.events, eventPlan{domain.EventInput{Section: "social", Type: string(domain.EventFamilyContact), Title: "Visite de la famille, point sur le projet",
					Start: day(14+i%9, "T15:30"), Status: string(domain.EventDone), Participants: "Famille (présente), directeur (présent)"}, "dir.ehpad"})
			}
			if i%6 == 0 {
				p.events = append(p.events, eventPlan{domain.EventInput{Section: "care", Type: string(domain.EventAppointment), Title: "Consultation en ophtalmologie",
					Start: "2026-12-03T10:00", Place: "Cabinet du Dr Lambert", Status: string(domain.EventPlanned)}, "as.ehpad"})
			}
		case SSIADFINESS:
			p.notes = append(p.notes, notePlan{domain.SectionCare, "Passage du matin : pansement de jambe refait, plaie propre, pas de signe d'infection.", day(4+i%18, "T08:15"), "ide.ssiad"})
			if i%4 == 0 {
				p.events = append(p.events, eventPlan{domain.EventInput{Section: "care", Type: string(domain.EventAbsence), Title: "Absent au passage : séjour chez sa fille",
					Start: day(9+i%10, "T08:00"), Status: string(domain.EventCancelled), Reason: "Personne absente du domicile"}, "ide.ssiad"})
			}
		case DITEPFINESS:
			p.notes = append(p.notes, notePlan{domain.SectionEducational, "Atelier cuisine : a aidé un camarade, bonne concentration sur la durée de l'activité.", day(6+i%15, "T14:00"), "educ.ditep"})
			if i%2 == 0 {
				p.events = append(p.events, eventPlan{domain.EventInput{Section: "educational", Type: string(domain.EventSerafin), SerafinCode: "2.3.1.1",
					Title: "Accompagnement éducatif en groupe", Start: day(12+i%10, "T10:00"), End: day(12+i%10, "T11:30"), Status: string(domain.EventDone)}, "educ.ditep"})
			}
		}
	}
}

// addPlans gives current residents and children personalised plans in every
// state; some admitted people keep none, so the "plans due" lists show them.
func addPlans(people []person) {
	kinds := []string{"running", "draft", "revised", "paused", "", "running", ""}
	for i := range people {
		p := &people[i]
		if len(p.stays) == 0 || p.stays[0].Discharged != "" || p.stays[0].Admitted == "" || p.stays[0].FINESS == SSIADFINESS {
			continue
		}
		p.plan = kinds[i%len(kinds)]
	}
}

// addLiaison writes a few notes of the cahier de liaison between the EHPAD's
// care assistants, nurses and doctor, one of them urgent and answered.
func addLiaison(people []person) {
	n := 0
	for i := range people {
		p := &people[i]
		if len(p.stays) == 0 || p.stays[0].FINESS != EHPADFINESS || p.stays[0].Discharged != "" || p.stays[0].Admitted == "" {
			continue
		}
		switch n {
		case 0:
			p.liaison = append(p.liaison, liaisonPlan{domain.SectionCare, domain.PriorityUrgente,
				"A refusé son petit-déjeuner et se plaint de douleurs au ventre depuis ce matin. Merci de passer la voir.",
				"2026-11-22T08:10", "as.ehpad", []domain.Role{domain.RoleInfirmier, domain.RoleMedecin},
				"Vue à 10 h : abdomen souple, pas de fièvre. Surveillance de l'alimentation ce midi.", "medecin.ehpad"})
		case 1:
			p.liaison = append(p.liaison, liaisonPlan{domain.SectionCare, domain.PriorityImportante,
				"Sa fille passera jeudi après-midi pour parler du changement de chambre.",
				"2026-11-21T16:40", "as.ehpad", []domain.Role{domain.RoleAideSoignant, domain.RoleDirecteur}, "", ""})
		case 2:
			p.liaison = append(p.liaison, liaisonPlan{domain.SectionCare, domain.PriorityNormale,
				"Nouvelles lunettes livrées, rangées dans le tiroir de la table de nuit.",
				"2026-11-20T14:00", "as.ehpad", []domain.Role{domain.RoleAideSoignant}, "", ""})
		default:
			return
		}
		n++
	}
}
