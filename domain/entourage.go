package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// ContactRole is a role a person of the entourage holds towards the usager.
type ContactRole string

// Contact roles.
const (
	ContactPersonneConfiance ContactRole = "personne_de_confiance"
	ContactPersonneAPrevenir ContactRole = "personne_a_prevenir"
	ContactRepresentantLegal ContactRole = "representant_legal"
	ContactAidant            ContactRole = "aidant"
	ContactReferentFamilial  ContactRole = "referent_familial"
)

// AllContactRoles in display order.
var AllContactRoles = []ContactRole{ContactPersonneConfiance, ContactPersonneAPrevenir, ContactRepresentantLegal, ContactAidant, ContactReferentFamilial}

// Label is the French name.
func (r ContactRole) Label() string {
	switch r {
	case ContactPersonneConfiance:
		return "Personne de confiance"
	case ContactPersonneAPrevenir:
		return "Personne à prévenir"
	case ContactRepresentantLegal:
		return "Représentant légal"
	case ContactAidant:
		return "Aidant"
	case ContactReferentFamilial:
		return "Référent familial"
	}
	return string(r)
}

// LegalProtections a representative may exercise.
var LegalProtections = []string{"tutelle", "curatelle", "curatelle_renforcee", "sauvegarde_de_justice", "habilitation_familiale", "mandat_protection_future", "autorite_parentale"}

// LegalProtectionLabel gives the French name of a protection measure.
func LegalProtectionLabel(p string) string {
	switch p {
	case "tutelle":
		return "Tutelle"
	case "curatelle":
		return "Curatelle"
	case "curatelle_renforcee":
		return "Curatelle renforcée"
	case "sauvegarde_de_justice":
		return "Sauvegarde de justice"
	case "habilitation_familiale":
		return "Habilitation familiale"
	case "mandat_protection_future":
		return "Mandat de protection future"
	case "autorite_parentale":
		return "Autorité parentale"
	}
	return p
}

// Contact is a member of the usager's entourage.
type Contact struct {
	ID              uuid.UUID
	UsagerID        uuid.UUID
	LastName        string
	FirstName       string
	Relationship    string
	Roles           []ContactRole
	LegalProtection string
	Phone           string
	Email           string
	Address         string
}

// Has reports whether c holds role r.
func (c Contact) Has(r ContactRole) bool {
	for _, k := range c.Roles {
		if k == r {
			return true
		}
	}
	return false
}

// ContactInput is a contact as typed in a form.
type ContactInput struct {
	LastName        string
	FirstName       string
	Relationship    string
	Roles           []string
	LegalProtection string
	Phone           string
	Email           string
	Address         string
}

// Parse checks the input.
func (in ContactInput) Parse() (Contact, error) {
	var v ValidationError
	c := Contact{
		LastName: cleanName(in.LastName), FirstName: cleanName(in.FirstName),
		Relationship: strings.TrimSpace(in.Relationship), Phone: strings.TrimSpace(in.Phone),
		Email: strings.TrimSpace(in.Email), Address: strings.TrimSpace(in.Address),
		LegalProtection: strings.TrimSpace(in.LegalProtection),
	}
	if c.LastName == "" {
		v.Add("last_name", "Le nom est obligatoire.")
	} else if !nameRe.MatchString(c.LastName) {
		v.Add("last_name", "Le nom ne peut contenir que des lettres, espaces, apostrophes et tirets.")
	}
	if c.FirstName != "" && !nameRe.MatchString(c.FirstName) {
		v.Add("first_name", "Le prénom ne peut contenir que des lettres, espaces, apostrophes et tirets.")
	}
	seen := map[ContactRole]bool{}
	for _, r := range in.Roles {
		role := ContactRole(r)
		known := false
		for _, k := range AllContactRoles {
			known = known || k == role
		}
		if !known {
			v.Add("roles", "Rôle inconnu : "+r+".")
			continue
		}
		if !seen[role] {
			c.Roles = append(c.Roles, role)
			seen[role] = true
		}
	}
	if c.LegalProtection != "" {
		known := false
		for _, p := range LegalProtections {
			known = known || p == c.LegalProtection
		}
		if !known {
			v.Add("legal_protection", "Mesure de protection inconnue.")
		} else if !seen[ContactRepresentantLegal] {
			v.Add("legal_protection", "Une mesure de protection ne s'indique que pour un représentant légal.")
		}
	}
	if c.Phone != "" && !phoneRe.MatchString(c.Phone) {
		v.Add("phone", "Le numéro de téléphone n'est pas valide (10 chiffres, ex. 01 23 45 67 89).")
	}
	if c.Email != "" && !emailRe.MatchString(c.Email) {
		v.Add("email", "L'adresse électronique n'est pas valide.")
	}
	if c.Phone == "" && c.Email == "" && c.Address == "" {
		v.Add("phone", "Indiquez au moins un moyen de joindre cette personne (téléphone, courriel ou adresse).")
	}
	return c, v.Err()
}

// Input returns the form values of c.
func (c Contact) Input() ContactInput {
	roles := make([]string, len(c.Roles))
	for i, r := range c.Roles {
		roles[i] = string(r)
	}
	return ContactInput{LastName: c.LastName, FirstName: c.FirstName, Relationship: c.Relationship, Roles: roles,
		LegalProtection: c.LegalProtection, Phone: c.Phone, Email: c.Email, Address: c.Address}
}

// ConsentScope is what a consent covers.
type ConsentScope string

// Consent scopes.
const (
	ConsentPartageEquipe  ConsentScope = "partage_equipe"
	ConsentPartageExterne ConsentScope = "partage_partenaires"
	ConsentDMP            ConsentScope = "alimentation_dmp"
	ConsentMSSante        ConsentScope = "echanges_mssante"
	ConsentDroitImage     ConsentScope = "droit_image"
	ConsentRecherche      ConsentScope = "recherche"
)

// AllConsentScopes in display order.
var AllConsentScopes = []ConsentScope{ConsentPartageEquipe, ConsentPartageExterne, ConsentDMP, ConsentMSSante, ConsentDroitImage, ConsentRecherche}

// Label is the French name.
func (s ConsentScope) Label() string {
	switch s {
	case ConsentPartageEquipe:
		return "Partage d'informations au sein de l'équipe pluriprofessionnelle"
	case ConsentPartageExterne:
		return "Partage d'informations avec les partenaires extérieurs"
	case ConsentDMP:
		return "Alimentation du DMP (Mon espace santé)"
	case ConsentMSSante:
		return "Échanges par messagerie sécurisée de santé"
	case ConsentDroitImage:
		return "Droit à l'image"
	case ConsentRecherche:
		return "Participation à la recherche"
	}
	return string(s)
}

// GivenBy names who expressed a consent.
var GivenBy = []string{"usager", "representant_legal", "personne_de_confiance"}

// GivenByLabel is the French name.
func GivenByLabel(s string) string {
	switch s {
	case "usager":
		return "La personne accompagnée"
	case "representant_legal":
		return "Le représentant légal"
	case "personne_de_confiance":
		return "La personne de confiance"
	}
	return s
}

// Consent records an agreement or a refusal.
type Consent struct {
	ID          uuid.UUID
	UsagerID    uuid.UUID
	Scope       ConsentScope
	Granted     bool
	GivenOn     time.Time
	GivenBy     string
	GivenByName string
	WithdrawnOn time.Time
	RecordedBy  uuid.UUID
}

// ConsentInput is a consent as typed.
type ConsentInput struct {
	Scope       string
	Decision    string // "granted" or "refused"
	GivenOn     string
	GivenBy     string
	GivenByName string
}

// Parse checks the input against today.
func (in ConsentInput) Parse(today time.Time) (Consent, error) {
	var v ValidationError
	c := Consent{Scope: ConsentScope(in.Scope), GivenBy: in.GivenBy, GivenByName: cleanName(in.GivenByName)}
	known := false
	for _, k := range AllConsentScopes {
		known = known || k == c.Scope
	}
	if !known {
		v.Add("scope", "Choisissez l'objet du consentement.")
	}
	switch in.Decision {
	case "granted":
		c.Granted = true
	case "refused":
	default:
		v.Add("decision", "Indiquez si la personne accepte ou refuse.")
	}
	if d, ok := parseDateField(&v, "given_on", in.GivenOn, true, "La date du recueil"); ok {
		if d.After(today) {
			v.Add("given_on", "La date du recueil ne peut pas être dans le futur.")
		}
		c.GivenOn = d
	}
	switch c.GivenBy {
	case "usager":
	case "representant_legal", "personne_de_confiance":
		if c.GivenByName == "" {
			v.Add("given_by_name", "Indiquez le nom de la personne qui a exprimé le consentement.")
		}
	default:
		v.Add("given_by", "Indiquez qui a exprimé le consentement.")
	}
	return c, v.Err()
}
