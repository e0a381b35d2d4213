package domain

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Sex as recorded in the identity (INS traits use M and F; I is indéterminé).
type Sex string

// Sexes.
const (
	SexF Sex = "F"
	SexM Sex = "M"
	SexI Sex = "I"
)

// Label is the French name.
func (s Sex) Label() string {
	switch s {
	case SexF:
		return "Féminin"
	case SexM:
		return "Masculin"
	case SexI:
		return "Indéterminé"
	}
	return string(s)
}

// IdentityStatus is the RNIV status of an identity.
type IdentityStatus string

// RNIV statuses.
const (
	IdentityPROV  IdentityStatus = "PROV"
	IdentityRECUP IdentityStatus = "RECUP"
	IdentityVALI  IdentityStatus = "VALI"
	IdentityQUAL  IdentityStatus = "QUAL"
)

// Label is the French RNIV name.
func (s IdentityStatus) Label() string {
	switch s {
	case IdentityPROV:
		return "Identité provisoire"
	case IdentityRECUP:
		return "Identité récupérée"
	case IdentityVALI:
		return "Identité validée"
	case IdentityQUAL:
		return "Identité qualifiée"
	}
	return string(s)
}

// Usager is the person supported, with the identity traits and contact details.
type Usager struct {
	ID             uuid.UUID
	OrgID          uuid.UUID
	BirthName      string
	UsedName       string
	FirstNames     []string // birth first names, in order; the first is the INS "premier prénom"
	UsedFirstName  string
	BirthDate      time.Time
	Sex            Sex
	BirthPlaceCode string // INSEE code of the birth commune, or 99 + country code
	IdentityStatus IdentityStatus
	Address        string
	PostalCode     string
	City           string
	Phone          string
	Email          string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// MergedInto is set when this record was found to duplicate another and
	// merged into it: it remains only as an alias of the kept record.
	MergedInto uuid.UUID
}

// DisplayName is "NOM (nom d'usage) Prénom" as shown in lists.
func (u Usager) DisplayName() string {
	name := strings.ToUpper(u.BirthName)
	if u.UsedName != "" && !strings.EqualFold(u.UsedName, u.BirthName) {
		name = strings.ToUpper(u.UsedName) + " (née " + strings.ToUpper(u.BirthName) + ")"
		if u.Sex != SexF {
			name = strings.ToUpper(u.UsedName) + " (né " + strings.ToUpper(u.BirthName) + ")"
		}
	}
	return name + " " + u.FirstName()
}

// FirstName is the used first name, or the first birth first name.
func (u Usager) FirstName() string {
	if u.UsedFirstName != "" {
		return u.UsedFirstName
	}
	if len(u.FirstNames) > 0 {
		return u.FirstNames[0]
	}
	return ""
}

// SortKey is the accent-free upper-case key used for search and ordering.
func (u Usager) SortKey() string {
	name := u.UsedName
	if name == "" {
		name = u.BirthName
	}
	return SearchKey(name + " " + u.FirstName())
}

// Age in whole years on day.
func (u Usager) Age(day time.Time) int {
	y := day.Year() - u.BirthDate.Year()
	if day.Month() < u.BirthDate.Month() || (day.Month() == u.BirthDate.Month() && day.Day() < u.BirthDate.Day()) {
		y--
	}
	return y
}

// SearchKey folds s to upper case without accents and with single spaces,
// so "Élodie  d'Arçy" and "ELODIE D'ARCY" compare equal.
func SearchKey(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.Join(strings.Fields(strings.ToUpper(out)), " ")
}

// UsagerInput is an identity as typed in a form: every field a string.
type UsagerInput struct {
	BirthName      string
	UsedName       string
	FirstNames     string // space-separated birth first names, in order
	UsedFirstName  string
	BirthDate      string
	Sex            string
	BirthPlaceCode string
	Address        string
	PostalCode     string
	City           string
	Phone          string
	Email          string
}

var (
	nameRe       = regexp.MustCompile(`^[\p{L}][\p{L}' -]*$`)
	inseeRe      = regexp.MustCompile(`^([0-9]{2}|2A|2B)[0-9]{3}$`)
	postalCodeRe = regexp.MustCompile(`^[0-9]{5}$`)
	phoneRe      = regexp.MustCompile(`^\+?[0-9 .]{10,20}$`)
	emailRe      = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Parse checks the input and returns the identity it describes. today bounds
// the birth date. Messages are in French, keyed by the form field names.
func (in UsagerInput) Parse(today time.Time) (Usager, error) {
	var v ValidationError
	u := Usager{IdentityStatus: IdentityPROV}
	u.BirthName = cleanName(in.BirthName)
	switch {
	case u.BirthName == "":
		v.Add("birth_name", "Le nom de naissance est obligatoire.")
	case !nameRe.MatchString(u.BirthName):
		v.Add("birth_name", "Le nom de naissance ne peut contenir que des lettres, espaces, apostrophes et tirets.")
	}
	u.UsedName = cleanName(in.UsedName)
	if u.UsedName != "" && !nameRe.MatchString(u.UsedName) {
		v.Add("used_name", "Le nom d'usage ne peut contenir que des lettres, espaces, apostrophes et tirets.")
	}
	u.FirstNames = strings.Fields(in.FirstNames)
	if len(u.FirstNames) == 0 {
		v.Add("first_names", "Au moins un prénom de naissance est obligatoire.")
	}
	for _, f := range u.FirstNames {
		if !nameRe.MatchString(f) {
			v.Add("first_names", "Les prénoms ne peuvent contenir que des lettres, apostrophes et tirets.")
		}
	}
	u.UsedFirstName = cleanName(in.UsedFirstName)
	if u.UsedFirstName != "" && !nameRe.MatchString(u.UsedFirstName) {
		v.Add("used_first_name", "Le prénom d'usage ne peut contenir que des lettres, espaces, apostrophes et tirets.")
	}
	if d, ok := parseDateField(&v, "birth_date", in.BirthDate, true, "La date de naissance"); ok {
		switch {
		case d.After(today):
			v.Add("birth_date", "La date de naissance ne peut pas être dans le futur.")
		case d.Year() < today.Year()-130:
			v.Add("birth_date", "La date de naissance est trop ancienne.")
		default:
			u.BirthDate = d
		}
	}
	switch Sex(in.Sex) {
	case SexF, SexM, SexI:
		u.Sex = Sex(in.Sex)
	default:
		v.Add("sex", "Choisissez le sexe.")
	}
	u.BirthPlaceCode = strings.ToUpper(strings.TrimSpace(in.BirthPlaceCode))
	if u.BirthPlaceCode != "" && !inseeRe.MatchString(u.BirthPlaceCode) {
		v.Add("birth_place_code", "Le code INSEE du lieu de naissance compte 5 caractères (ex. 75056, 2A004, ou 99 + code pays pour une naissance à l'étranger).")
	}
	u.Address = strings.TrimSpace(in.Address)
	u.PostalCode = strings.TrimSpace(in.PostalCode)
	if u.PostalCode != "" && !postalCodeRe.MatchString(u.PostalCode) {
		v.Add("postal_code", "Le code postal compte 5 chiffres.")
	}
	u.City = strings.TrimSpace(in.City)
	u.Phone = strings.TrimSpace(in.Phone)
	if u.Phone != "" && !phoneRe.MatchString(u.Phone) {
		v.Add("phone", "Le numéro de téléphone n'est pas valide (10 chiffres, ex. 01 23 45 67 89).")
	}
	u.Email = strings.TrimSpace(in.Email)
	if u.Email != "" && !emailRe.MatchString(u.Email) {
		v.Add("email", "L'adresse électronique n'est pas valide.")
	}
	return u, v.Err()
}

// cleanName trims and collapses spaces; names keep the case typed, the INS
// traits being compared case-insensitively.
func cleanName(s string) string { return strings.Join(strings.Fields(s), " ") }

// Input returns the form values of u, to prefill an edit form.
func (u Usager) Input() UsagerInput {
	return UsagerInput{
		BirthName: u.BirthName, UsedName: u.UsedName, FirstNames: strings.Join(u.FirstNames, " "),
		UsedFirstName: u.UsedFirstName, BirthDate: FormatDate(u.BirthDate), Sex: string(u.Sex),
		BirthPlaceCode: u.BirthPlaceCode, Address: u.Address, PostalCode: u.PostalCode, City: u.City,
		Phone: u.Phone, Email: u.Email,
	}
}
