package insitest

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold reduces a name to what the peer compares: capitals without
// diacritics, ligatures spelled out, typographic apostrophes and dashes made
// plain, inner spaces collapsed. keepHyphen keeps "-" (a composed first name
// is one name) instead of turning it into a space (birth names compare with
// or without their hyphens).
func fold(s string, keepHyphen bool) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// combining accent left by the decomposition: dropped
		case r == 'œ' || r == 'Œ':
			b.WriteString("OE")
		case r == 'æ' || r == 'Æ':
			b.WriteString("AE")
		case r == 'ß':
			b.WriteString("SS")
		case r == '-' || r == '‐' || r == '‑' || r == '–':
			if keepHyphen {
				b.WriteByte('-')
			} else {
				b.WriteByte(' ')
			}
		case r == '\'' || r == '’' || r == 'ʼ' || r == '`':
			b.WriteByte(' ')
		default:
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// foldName folds a birth name: "Lefèvre-Durand" and "LEFEVRE DURAND" match.
func foldName(s string) string { return fold(s, false) }

// foldFirstName folds one first name, keeping its hyphen: "Jean-Marie" is one
// name, not "Jean" then "Marie".
func foldFirstName(s string) string { return fold(s, true) }
