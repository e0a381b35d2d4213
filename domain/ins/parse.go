package ins

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Fields a ParseError may name, for the caller to map to its form fields.
const (
	FieldNumber = "number"
	FieldKey    = "key"
	FieldOID    = "oid"
)

// ErrBadKey is wrapped by the ParseError of a key that does not match the
// number, so callers can tell a typing slip from a malformed number.
var ErrBadKey = errors.New("clé du matricule INS erronée")

// ParseError says which part of a matricule is wrong, in French.
type ParseError struct {
	Field   string // FieldNumber, FieldKey or FieldOID
	Message string // French, shown to the user as is
	Err     error  // ErrBadKey for a key mismatch, nil otherwise
}

func (e *ParseError) Error() string { return e.Message }

// Unwrap exposes ErrBadKey to errors.Is.
func (e *ParseError) Unwrap() error { return e.Err }

// Parse reads a matricule typed by hand: spaces are ignored and letters
// upper-cased, then length, characters, structure, key and OID must all be
// right. oid may carry the "urn:oid:" prefix FHIR uses.
func Parse(s, oid string) (Matricule, error) {
	m, err := parse(s, oid)
	if err != nil {
		return Matricule{}, err
	}
	return m, nil
}

// ParseExternal reads a matricule from a document received from elsewhere
// (a letter, a CDA header, an INSi answer). A wrong key is reported as a
// French warning rather than an error, because some published documents
// carry one and refusing them would lose the rest; a malformed number or an
// unknown OID is still an error.
func ParseExternal(s, oid string) (Matricule, []string, error) {
	m, err := parse(s, oid)
	if err == nil {
		return m, nil, nil
	}
	if errors.Is(err, ErrBadKey) {
		return m, []string{"La clé du matricule INS ne correspond pas au numéro : vérifiez-le auprès du téléservice INSi avant de l'utiliser."}, nil
	}
	return Matricule{}, nil, err
}

// parse returns the matricule read so far with a key error, so that
// ParseExternal can keep it.
func parse(s, oid string) (Matricule, error) {
	oid = strings.TrimPrefix(strings.TrimSpace(oid), "urn:oid:")
	if !ValidOID(oid) {
		return Matricule{}, &ParseError{Field: FieldOID, Message: "Type de matricule INS inconnu (OID « " + truncate(oid, 40) + " ») : NIR, NIA, NIR de test ou de démonstration attendu."}
	}
	v, err := compact(s)
	if err != nil {
		return Matricule{}, err
	}
	m := Matricule{Number: v[:NumberLen], Key: v[NumberLen:], OID: oid}
	if err := checkStructure(m.Number, oid); err != nil {
		return Matricule{}, err
	}
	want, err := ComputeKey(m.Number)
	if err != nil {
		return Matricule{}, fmt.Errorf("clé du matricule INS : %w", err)
	}
	if !isDigit(m.Key[0]) || !isDigit(m.Key[1]) {
		return Matricule{}, &ParseError{Field: FieldKey, Message: "La clé du matricule INS compte 2 chiffres."}
	}
	if m.Key != want {
		// The expected key is not shown: a user told it would copy it
		// instead of finding the mistyped digit.
		return m, &ParseError{Field: FieldKey, Message: "La clé ne correspond pas au numéro : un caractère a probablement été mal saisi.", Err: ErrBadKey}
	}
	return m, nil
}

// compact removes white space, upper-cases and checks the length and the
// character set.
func compact(s string) (string, error) {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		n++
		if n > Len+1 { // long enough to know it is too long
			break
		}
		if r >= 'a' && r <= 'z' {
			r -= 'a' - 'A'
		}
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return "", &ParseError{Field: FieldNumber, Message: "Le matricule INS ne peut contenir que des chiffres (et 2A ou 2B pour la Corse)."}
		}
		b.WriteRune(r)
	}
	switch {
	case n == 0:
		return "", &ParseError{Field: FieldNumber, Message: "Le matricule INS est vide."}
	case n == NumberLen:
		return "", &ParseError{Field: FieldKey, Message: "Saisissez aussi la clé : le matricule INS compte 15 caractères, dont les 2 derniers forment la clé."}
	case n != Len:
		return "", &ParseError{Field: FieldNumber, Message: fmt.Sprintf("Le matricule INS compte 15 caractères (13 pour le numéro, 2 pour la clé) ; %s.", countPhrase(n))}
	}
	return b.String(), nil
}

func countPhrase(n int) string {
	if n > Len {
		return "la saisie en compte davantage"
	}
	if n == 1 {
		return "la saisie en compte 1"
	}
	return fmt.Sprintf("la saisie en compte %d", n)
}

// checkStructure checks the meaning of each part of an upper-case
// 13-character number:
//
//   - sex digit: 1 (male) or 2 (female) for a NIR. 3 and 4 (foreigners being
//     registered) and 7 and 8 (provisional numbers) are waiting numbers:
//     accepted with the NIA OID, and with the test and demonstration OIDs
//     whose published sets mix both kinds;
//   - year: any two digits;
//   - month: 01 to 12, or a pseudo-month (20 to 42, 50 to 99) given when the
//     civil-status record lacks the month;
//   - place: department 01 to 95 (20 is Corsica before 1976, 91 to 95 also
//     Algeria and Morocco before independence), 2A/2B, 96 (Tunisia before
//     independence), 971 to 978 and 984 to 989 overseas, 99 + country code
//     for a birth abroad;
//   - order: any three digits.
func checkStructure(n, oid string) error {
	switch n[0] {
	case '1', '2':
	case '3', '4', '7', '8':
		if oid == OIDNIR {
			return &ParseError{Field: FieldNumber, Message: "Un NIR commence par 1 ou 2 ; un numéro commençant par " + n[:1] + " est un numéro d'attente (NIA) : choisissez ce type."}
		}
	default:
		return &ParseError{Field: FieldNumber, Message: "Le premier chiffre du matricule INS (sexe) doit être 1 ou 2 (3, 4, 7 ou 8 pour un NIA)."}
	}
	for _, i := range []int{1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12} {
		if !isDigit(n[i]) {
			return &ParseError{Field: FieldNumber, Message: "Le matricule INS ne contient que des chiffres, hormis 2A ou 2B pour un département de Corse."}
		}
	}
	if !monthOK(int(n[3]-'0')*10 + int(n[4]-'0')) {
		return &ParseError{Field: FieldNumber, Message: "Le mois de naissance du matricule INS (4e et 5e chiffres) doit être compris entre 01 et 12 (ou 20 à 42, 50 à 99 lorsque le mois est inconnu)."}
	}
	if n[5:7] == "2A" || n[5:7] == "2B" {
		return nil
	}
	if !isDigit(n[6]) {
		return &ParseError{Field: FieldNumber, Message: "Le matricule INS ne contient que des chiffres, hormis 2A ou 2B pour un département de Corse."}
	}
	dept := int(n[5]-'0')*10 + int(n[6]-'0')
	switch {
	case dept >= 1 && dept <= 96, dept == 99:
		return nil
	case dept == 97 && n[7] >= '1' && n[7] <= '8', dept == 98 && n[7] >= '4' && n[7] <= '9':
		return nil
	}
	return &ParseError{Field: FieldNumber, Message: "Le lieu de naissance du matricule INS (" + n[5:8] + ") n'est pas un département connu (01 à 95, 2A, 2B, 96, 971 à 978, 984 à 989, ou 99 pour l'étranger)."}
}

// monthOK accepts real months and the RNIPP pseudo-months.
func monthOK(m int) bool {
	return m >= 1 && m <= 12 || m >= 20 && m <= 42 || m >= 50 && m <= 99
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// truncate bounds a value echoed in a message.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Sexes as given to CheckTraits (the INS traits' M, F and I).
const (
	SexMale          = "M"
	SexFemale        = "F"
	SexIndeterminate = "I"
)

// CheckTraits compares what the matricule encodes with the identity's sex
// and birth date, and returns a French message per inconsistency (none when
// they agree). It is a warning aid, not a refusal: the matricule keeps the
// data declared when it was issued.
//
// For a NIR and a NIA alike (a NIA is built like a NIR from the declared
// traits) it checks: the sex digit (odd: male, even: female; not checked
// for I), the two digits of the birth year, and the birth month unless the
// matricule carries a pseudo-month. The birth place is not checked: the
// matricule keeps the code of the place at the time of birth, which may
// differ from today's INSEE code (merged communes, Corsica before 1976,
// former departments of Algeria).
func (m Matricule) CheckTraits(sex string, birth time.Time) []string {
	n := m.Number
	if len(n) != NumberLen || !isDigit(n[0]) || !isDigit(n[1]) || !isDigit(n[2]) || !isDigit(n[3]) || !isDigit(n[4]) {
		return []string{"Le matricule INS est incomplet : sa cohérence avec le sexe et la date de naissance n'a pas pu être vérifiée."}
	}
	var out []string
	encodedMale := (n[0]-'0')%2 == 1
	switch {
	case sex == SexMale && !encodedMale:
		out = append(out, "Le matricule INS désigne une personne de sexe féminin, l'identité est de sexe masculin.")
	case sex == SexFemale && encodedMale:
		out = append(out, "Le matricule INS désigne une personne de sexe masculin, l'identité est de sexe féminin.")
	}
	if birth.IsZero() {
		return out
	}
	if yy := int(n[1]-'0')*10 + int(n[2]-'0'); yy != birth.Year()%100 {
		out = append(out, fmt.Sprintf("L'année de naissance du matricule INS (%s) ne correspond pas à la date de naissance (%d).", n[1:3], birth.Year()))
	}
	if mm := int(n[3]-'0')*10 + int(n[4]-'0'); mm >= 1 && mm <= 12 && mm != int(birth.Month()) {
		out = append(out, fmt.Sprintf("Le mois de naissance du matricule INS (%s) ne correspond pas à la date de naissance (%02d).", n[3:5], int(birth.Month())))
	}
	return out
}
