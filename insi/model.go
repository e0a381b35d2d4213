package insi

import (
	"fmt"
	"strings"
	"time"
)

// Result codes of the INSi compte rendu (CR/CodeCR).
const (
	CodeFound    = "00" // exactly one identity: the INS and its official traits come back
	CodeNotFound = "01" // no identity matches the traits
	CodeSeveral  = "02" // several identities match: the query is not discriminant
)

// OIDs of the authority that assigned a matricule INS. INSi tells which one
// applies; the client only carries it.
const (
	OIDNIR     = "1.2.250.1.213.1.4.8"
	OIDNIA     = "1.2.250.1.213.1.4.9"
	OIDTestNIR = "1.2.250.1.213.1.4.10"
	OIDDemoNIR = "1.2.250.1.213.1.4.11"
)

// TraitsQuery holds the strict identity traits typed in by a professional.
// FirstNames is the birth first-name list, in order; the first one is the one
// sent alone on the first attempt.
type TraitsQuery struct {
	BirthName  string
	FirstNames []string
	Sex        string // "F" or "M"
	BirthDate  time.Time
	// LunarBirthDate, when set (YYYY-MM-DD where day or month may be 00), is
	// sent instead of BirthDate: the contract types the birth date as a
	// "date lunaire" so that partly unknown dates of people born abroad can be
	// searched.
	LunarBirthDate string
	// BirthPlaceCode is the INSEE code (COG) of the birth commune, or 99 +
	// country code. It is only sent on the last attempt.
	BirthPlaceCode string
}

// VitaleQuery holds what a carte Vitale gives for one beneficiary
// (rechercherInsAvecCarteVitale, element RECVITALE).
type VitaleQuery struct {
	// HolderNIR is the NIR of the card holder (ouvrant droit, MatriculeOD):
	// 13 characters; HolderKey is its 2-digit key when read.
	HolderNIR string
	HolderKey string
	// BeneficiaryNIR is the beneficiary's own NIR when the card carries it
	// (MatriculeIndividu); empty for a child registered on a parent's card.
	BeneficiaryNIR string
	BeneficiaryKey string
	// BirthName is the beneficiary's birth name when the card carries it.
	BirthName string
	// BirthDate is the beneficiary's birth date as read from the card,
	// YYYY-MM-DD; it may be a lunar date (day or month 00, or a month above 12)
	// and is therefore kept as text.
	BirthDate string
	// BirthRank is the rang gémellaire (1 unless twins share the card).
	BirthRank int
}

// PastINS is a matricule the person carried before the active one
// (INSHISTO), e.g. a NIA later replaced by a NIR.
type PastINS struct {
	NIR string // 13 characters
	Key string // 2 digits
	OID string
}

// Identity is the answer of a 00: the active INS and the official traits
// (TIQ). It is independent of the domain model on purpose: the mapping to
// domain types happens at the edge.
type Identity struct {
	NIR     string // matricule INS, 13 characters (NIR or NIA)
	Key     string // 2 digits
	OID     string
	PastINS []PastINS

	BirthName  string
	FirstNames []string // the official birth first-name list, in order
	Sex        string
	// BirthDate is the official birth date; it is the zero time when the date
	// is lunar (day or month unknown), in which case only BirthDateText holds it.
	BirthDate      time.Time
	BirthDateText  string // the date as sent by INSi, YYYY-MM-DD
	BirthPlaceCode string
}

// Attempt is one call made while searching, kept so that the UI can explain
// how the answer was reached (or why none was).
type Attempt struct {
	Operation      string   // rechercherInsAvecTraitsIdentite or rechercherInsAvecCarteVitale
	MessageID      string   // WS-Addressing MessageID, to quote to the service desk
	FirstNames     []string // first names sent (traits search)
	WithBirthPlace bool     // whether LieuNaissance was sent
	Code           string   // CodeCR; empty when the call failed
	Label          string   // LibelleCR as sent by the service
}

// Description says in French what the attempt sent and what came back.
func (a Attempt) Description() string {
	var what string
	switch {
	case a.Operation == OpCarteVitale:
		what = "Recherche par carte Vitale"
	case len(a.FirstNames) <= 1 && !a.WithBirthPlace:
		what = "Premier prénom seul"
	case len(a.FirstNames) <= 1:
		what = "Premier prénom et lieu de naissance"
	case !a.WithBirthPlace:
		what = fmt.Sprintf("Tous les prénoms (%s)", strings.Join(a.FirstNames, " "))
	default:
		what = fmt.Sprintf("Tous les prénoms (%s) et lieu de naissance", strings.Join(a.FirstNames, " "))
	}
	if a.Code == "" {
		return what + " : pas de réponse"
	}
	return fmt.Sprintf("%s : %s (%s)", what, codeMessage(a.Code), a.Code)
}

// Result is the outcome of a search: the final code, the identity for a 00,
// and every attempt made in order.
type Result struct {
	Code     string
	Identity *Identity
	Attempts []Attempt
}

// Found reports whether the search ended on exactly one identity.
func (r Result) Found() bool { return r.Code == CodeFound && r.Identity != nil }

// Message is the French sentence shown to the professional.
func (r Result) Message() string { return codeMessage(r.Code) }

func codeMessage(code string) string {
	switch code {
	case CodeFound:
		return "Une identité trouvée"
	case CodeNotFound:
		return "Aucune identité trouvée"
	case CodeSeveral:
		return "Plusieurs identités : précisez les traits"
	default:
		return "Recherche non aboutie"
	}
}
