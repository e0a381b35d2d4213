package domain

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Identitovigilance: finding records that may be the same person (or two
// people easily confused). Keys are computed when an identity is saved so the
// store can find candidates through indexes, then CompareIdentities scores
// each candidate.

// NameKey folds a name for exact comparison: upper case, no accents, hyphens
// and apostrophes as spaces, single spaces ("Dupont-Aubert" = "DUPONT AUBERT").
func NameKey(s string) string {
	s = strings.NewReplacer("-", " ", "'", " ", "’", " ", ".", " ").Replace(s)
	return SearchKey(s)
}

// PhoneticKey reduces a French name to a key that sounds alike names share
// ("Lefèvre", "Lefebvre", "Lefeuvre" → one key; "Dupont", "Dupond" → one key).
// Words are joined first: "Le Fèvre" and "Lefèvre" sound the same.
func PhoneticKey(s string) string {
	return phoneticWord(strings.Join(strings.Fields(NameKey(s)), ""))
}

// phoneticRules apply in order to an accent-free upper-case word; they fold
// French spellings of one sound to one letter. Longer patterns come first.
var phoneticRules = []struct{ from, to string }{
	{"SCH", "S"}, {"CH", "S"}, {"SH", "S"}, {"PH", "F"}, {"TH", "T"}, {"GN", "N"}, {"QU", "K"}, {"CK", "K"},
	{"GU", "G"}, {"BV", "V"}, {"EAU", "O"}, {"AU", "O"}, {"AI", "E"}, {"EI", "E"}, {"AY", "E"}, {"EY", "E"},
	{"OE", "E"}, {"EU", "E"}, {"OU", "U"}, {"Y", "I"}, {"W", "V"}, {"Z", "S"}, {"Q", "K"}, {"H", ""},
}

func phoneticWord(w string) string {
	for _, r := range phoneticRules {
		w = strings.ReplaceAll(w, r.from, r.to)
	}
	// C and G soften before E and I.
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		c := w[i]
		next := byte(0)
		if i+1 < len(w) {
			next = w[i+1]
		}
		switch {
		case c == 'C' && (next == 'E' || next == 'I'):
			b.WriteByte('S')
		case c == 'C':
			b.WriteByte('K')
		case c == 'G' && (next == 'E' || next == 'I'):
			b.WriteByte('J')
		case c == 'X' && i > 0:
			b.WriteString("KS")
		default:
			b.WriteByte(c)
		}
	}
	w = b.String()
	// Silent endings: Dupont/Dupond, Durand/Durant, Giraud/Girault, Bernard/Bernart.
	for _, end := range []string{"KS", "LT", "ST", "T", "D", "S", "P", "E"} {
		if len(w) > len(end)+1 && strings.HasSuffix(w, end) {
			w = w[:len(w)-len(end)]
			break
		}
	}
	// Nasal vowels: AN/EN/AM/EM are one sound; keep the first letter, drop
	// the other vowels (a consonant skeleton), collapse doubled letters.
	w = strings.NewReplacer("EN", "AN", "EM", "AN", "AM", "AN", "IM", "IN", "OM", "ON").Replace(w)
	var out strings.Builder
	var last byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if i > 0 && strings.IndexByte("AEIOU", c) >= 0 && !(c == 'A' && i+1 < len(w) && w[i+1] == 'N') {
			continue
		}
		if c == last {
			continue
		}
		out.WriteByte(c)
		last = c
	}
	return out.String()
}

// IdentityKeys are the values the store indexes to find candidates.
type IdentityKeys struct {
	NameKey       string // NameKey(birth name) + " " + NameKey(first first name)
	Phonetic      string // PhoneticKey(birth name)
	FirstPhonetic string // PhoneticKey(first first name)
}

// Keys computes u's identitovigilance keys.
func (u Usager) Keys() IdentityKeys {
	first := ""
	if len(u.FirstNames) > 0 {
		first = u.FirstNames[0]
	}
	return IdentityKeys{
		NameKey:       strings.ReplaceAll(NameKey(u.BirthName), " ", "") + " " + NameKey(first),
		Phonetic:      PhoneticKey(u.BirthName),
		FirstPhonetic: PhoneticKey(first),
	}
}

// Match is a possible duplicate or homonym of an identity.
type Match struct {
	Usager  Usager
	Score   int      // 0–100: how likely the two records are one person
	Reasons []string // French, for the person who decides
}

// MatchThreshold is the score from which a pair is shown.
const MatchThreshold = 60

// CompareIdentities scores how likely a and b are the same person (or two
// people one could mix up), with the reasons in French. INS equality is
// decided by the caller (it lives outside the traits) and passed as sameINS.
func CompareIdentities(a, b Usager, sameINS bool) (int, []string) {
	if sameINS {
		return 100, []string{"Même matricule INS"}
	}
	ka, kb := a.Keys(), b.Keys()
	sameBirth := a.BirthDate.Equal(b.BirthDate)
	nearBirth := !sameBirth && nearDate(a.BirthDate, b.BirthDate)
	sameSex := a.Sex == b.Sex || a.Sex == SexI || b.Sex == SexI
	usedA, usedB := NameKey(a.UsedName), NameKey(b.UsedName)
	crossName := (usedA != "" && usedA == NameKey(b.BirthName)) || (usedB != "" && usedB == NameKey(a.BirthName))
	switch {
	case ka.NameKey == kb.NameKey && sameBirth && sameSex:
		return 95, []string{"Mêmes nom, prénom, date de naissance et sexe"}
	case ka.NameKey == kb.NameKey && sameBirth:
		return 80, []string{"Mêmes nom, prénom et date de naissance ; sexe différent"}
	case ka.Phonetic == kb.Phonetic && ka.FirstPhonetic == kb.FirstPhonetic && sameBirth:
		return 85, []string{"Noms et prénoms proches à l'oreille, même date de naissance"}
	case crossName && ka.FirstPhonetic == kb.FirstPhonetic && sameBirth:
		return 80, []string{"Le nom d'usage de l'un est le nom de naissance de l'autre, même prénom et même date de naissance"}
	case ka.NameKey == kb.NameKey && nearBirth:
		return 70, []string{"Mêmes nom et prénom, dates de naissance voisines (inversion jour/mois ou chiffre)"}
	case ka.Phonetic == kb.Phonetic && sameBirth && sameSex:
		return 60, []string{"Noms proches à l'oreille, même date de naissance et même sexe (homonyme possible)"}
	}
	return 0, nil
}

// nearDate reports dates that a typing slip turns into one another: day and
// month swapped, or one of day, month, year different.
func nearDate(a, b time.Time) bool {
	if a.IsZero() || b.IsZero() {
		return false
	}
	if a.Year() == b.Year() && int(a.Month()) == b.Day() && a.Day() == int(b.Month()) {
		return true
	}
	diff := 0
	if a.Year() != b.Year() {
		diff++
	}
	if a.Month() != b.Month() {
		diff++
	}
	if a.Day() != b.Day() {
		diff++
	}
	return diff == 1
}

// DuplicatePair is two records the administrator should look at.
type DuplicatePair struct {
	A, B    Usager
	Score   int
	Reasons []string
}

// MergeResult counts what a merge moved to the kept record.
type MergeResult struct {
	Kept, Merged uuid.UUID
	Moved        map[string]int64 // table → rows moved
}
