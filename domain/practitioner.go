package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// PractitionerTx holds what partners read beyond the record's own
// repositories (FHIR Practitioner, PractitionerRole, Appointment,
// AuditEvent): the professionals with their national identifiers, the
// events of a record and the access trail of one establishment.
type PractitionerTx interface {
	// Practitioners are the accounts holding a role in estab, filtered by
	// q, by display name.
	Practitioners(q PractitionerQuery) ([]Practitioner, error)
	// Practitioner reads one account with its memberships.
	Practitioner(id uuid.UUID) (Practitioner, error)
	// Prescribers are the prescribers named in the prescriptions of estab
	// who are not accounts there (an outside GP, a specialist), filtered by
	// q's RPPS, name and ID, each once, by name.
	Prescribers(q PractitionerQuery) ([]Practitioner, error)
	// SetProfessional records an account's RPPS number and profession.
	SetProfessional(user uuid.UUID, rpps string, profession Profession) error

	// UsagerEvents are the events of a record starting within [from, to)
	// (zero bounds are open), soonest first.
	UsagerEvents(usager uuid.UUID, from, to time.Time) ([]Event, error)
	// Event reads one event of a record.
	Event(id uuid.UUID) (Event, error)

	// LiaisonThreads are a usager's notes of the readable (establishment,
	// section) pairs, newest first (at most 100), each with its recipients
	// and followed by its replies, oldest first.
	LiaisonThreads(usager uuid.UUID, readable []EstabSection) ([]LiaisonNote, error)

	// EstablishmentTrail lists the trail rows of one establishment about
	// one usager, newest first.
	EstablishmentTrail(q EstablishmentTrailQuery) ([]TrailEntry, error)
	// TrailRow reads one trail row by its sequence number.
	TrailRow(seq int64) (TrailEntry, error)
}

// Practitioner is a user account seen as a health or social professional.
type Practitioner struct {
	User
	RPPS        string // 11 digits, empty when unknown
	Profession  Profession
	Memberships []Membership
}

// prescriberSpace names the ids of prescribers who have no account.
var prescriberSpace = uuid.MustParse("6f1c7c1e-3b7a-5d2e-9a41-52656c616973")

// PrescriberID is the stable id of a prescriber without an account, from
// the RPPS number: the same professional keeps one id.
func PrescriberID(rpps string) uuid.UUID { return uuid.NewSHA1(prescriberSpace, []byte("rpps:"+rpps)) }

// PractitionerQuery selects professionals of one establishment.
type PractitionerQuery struct {
	EstablishmentID uuid.UUID
	RPPS            string // exact
	Name            string // start of a word of the display name, case- and accent-insensitive
	ID              uuid.UUID
}

// EstablishmentTrailQuery selects trail rows of one establishment about a
// usager, within [From, To) (zero bounds are open).
type EstablishmentTrailQuery struct {
	EstablishmentID uuid.UUID
	UsagerID        uuid.UUID
	From, To        time.Time
	Limit           int
}

// Profession is a health profession of the national nomenclature
// (TRE_G15-ProfessionSante); empty when the account is not a health
// professional.
type Profession string

// Professions met in medico-social services.
const (
	ProfessionMedecin     Profession = "10"
	ProfessionPharmacien  Profession = "21"
	ProfessionInfirmier   Profession = "60"
	ProfessionKine        Profession = "70"
	ProfessionOrthophon   Profession = "91"
	ProfessionErgo        Profession = "94"
	ProfessionDieteticien Profession = "95"
	ProfessionPsychomot   Profession = "96"
)

// AllProfessions in display order.
var AllProfessions = []Profession{ProfessionMedecin, ProfessionInfirmier, ProfessionKine, ProfessionErgo, ProfessionPsychomot,
	ProfessionOrthophon, ProfessionDieteticien, ProfessionPharmacien}

// Label is the French name.
func (p Profession) Label() string {
	switch p {
	case ProfessionMedecin:
		return "Médecin"
	case ProfessionPharmacien:
		return "Pharmacien"
	case ProfessionInfirmier:
		return "Infirmier"
	case ProfessionKine:
		return "Masseur-kinésithérapeute"
	case ProfessionOrthophon:
		return "Orthophoniste"
	case ProfessionErgo:
		return "Ergothérapeute"
	case ProfessionDieteticien:
		return "Diététicien"
	case ProfessionPsychomot:
		return "Psychomotricien"
	}
	return string(p)
}

// Valid reports whether p is empty or a known profession.
func (p Profession) Valid() bool {
	if p == "" {
		return true
	}
	for _, k := range AllProfessions {
		if k == p {
			return true
		}
	}
	return false
}

// ParseProfessional checks the RPPS number and profession typed on the
// account form (both optional); French messages per field.
func ParseProfessional(rpps, profession string) (string, Profession, error) {
	var v ValidationError
	rpps = strings.ReplaceAll(strings.TrimSpace(rpps), " ", "")
	p := Profession(profession)
	if rpps != "" && CheckRPPS(rpps) != "" {
		v.Add("rpps", "Le numéro RPPS n'est pas valide : 11 chiffres, le dernier étant la clé de contrôle. Vérifiez-le sur la carte CPS ou l'annuaire santé.")
	}
	if !p.Valid() {
		v.Add("profession", "Choisissez une profession de la liste.")
	}
	return rpps, p, v.Err()
}
