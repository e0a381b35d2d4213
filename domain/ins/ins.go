// Package ins reads and checks the matricule of the Identité Nationale de
// Santé (INS): a NIR or, for people not yet certified in the RNIPP, a NIA,
// with its 2-digit key and the OID telling which of the two (or a test or
// demonstration number) it is.
//
// The package imports only the standard library so that domain, fhir, dmp
// and the INSi client can all use it without import cycles. Messages meant
// for users are in French.
package ins

import (
	"strconv"
	"strings"
)

// OIDs of the matricule INS (ANS, Guide d'implémentation de l'INS; FR Core
// profile FRCorePatientINS).
const (
	OIDNIR     = "1.2.250.1.213.1.4.8"  // INS-NIR: certified NIR
	OIDNIA     = "1.2.250.1.213.1.4.9"  // INS-NIA: numéro identifiant d'attente
	OIDTestNIR = "1.2.250.1.213.1.4.10" // NIR of the national test identities
	OIDDemoNIR = "1.2.250.1.213.1.4.11" // NIR of demonstration identities
)

// oidLabels is a read-only table: French label per known OID.
var oidLabels = map[string]string{
	OIDNIR:     "INS-NIR (numéro d'inscription au répertoire)",
	OIDNIA:     "INS-NIA (numéro identifiant d'attente)",
	OIDTestNIR: "INS-NIR de test",
	OIDDemoNIR: "INS-NIR de démonstration",
}

// ValidOID reports whether s is one of the four OIDs of the matricule INS.
func ValidOID(s string) bool {
	_, ok := oidLabels[s]
	return ok
}

// OIDLabel is the French name of oid, or oid itself when unknown.
func OIDLabel(oid string) string {
	if l, ok := oidLabels[oid]; ok {
		return l
	}
	return oid
}

// Lengths of the parts of a matricule.
const (
	NumberLen = 13
	KeyLen    = 2
	Len       = NumberLen + KeyLen
)

// Matricule is a matricule INS: the 13-character number (digits, with 2A or
// 2B for Corsica), its 2-digit key and the OID of its kind.
type Matricule struct {
	Number string // 13 characters
	Key    string // 2 digits
	OID    string
}

// String is the 15 characters as exchanged (number then key).
func (m Matricule) String() string { return m.Number + m.Key }

// IsZero reports whether m holds nothing.
func (m Matricule) IsZero() bool { return m.Number == "" && m.Key == "" && m.OID == "" }

// IsNIA reports whether m is a numéro identifiant d'attente.
func (m Matricule) IsNIA() bool { return m.OID == OIDNIA }

// IsTest reports whether m is a test or demonstration number, which must
// never be mistaken for a real person's.
func (m Matricule) IsTest() bool { return m.OID == OIDTestNIR || m.OID == OIDDemoNIR }

// OIDLabel is the French name of m's kind.
func (m Matricule) OIDLabel() string { return OIDLabel(m.OID) }

// Formatted groups the matricule the way cards print it, sex, year, month,
// place (2 + 3), order and key: "2 97 02 2A 020 778 78". A value of the
// wrong length is returned as is, so a display never hides what is stored.
func (m Matricule) Formatted() string {
	s := m.String()
	if len(s) != Len {
		return s
	}
	return strings.Join([]string{s[0:1], s[1:3], s[3:5], s[5:7], s[7:10], s[10:13], s[13:15]}, " ")
}

// ComputeKey returns the 2-digit key of a 13-character number: 97 minus the
// number modulo 97, Corsica's 2A and 2B being read as 19 and 18. Only the
// characters are checked here (13, digits, 2A/2B at the department); Parse
// checks the structure.
func ComputeKey(number string) (string, error) {
	n, err := numericValue(strings.ToUpper(number))
	if err != nil {
		return "", err
	}
	k := 97 - n%97
	return string([]byte{byte('0' + k/10), byte('0' + k%10)}), nil
}

// numericValue reads the 13 characters as the integer the key is computed
// on. number must already be upper case.
func numericValue(number string) (uint64, error) {
	if len(number) != NumberLen {
		return 0, &ParseError{Field: FieldNumber, Message: "Le numéro d'un matricule INS compte 13 caractères (hors clé)."}
	}
	digits := []byte(number)
	switch number[5:7] {
	case "2A":
		digits[5], digits[6] = '1', '9'
	case "2B":
		digits[5], digits[6] = '1', '8'
	}
	n, err := strconv.ParseUint(string(digits), 10, 64)
	if err != nil || !allDigits(digits) {
		return 0, &ParseError{Field: FieldNumber, Message: "Le numéro ne peut contenir que des chiffres, sauf 2A ou 2B pour un département de Corse."}
	}
	return n, nil
}

// allDigits is needed beside ParseUint, which accepts a leading sign.
func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
