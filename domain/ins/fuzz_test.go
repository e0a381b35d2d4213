package ins

import (
	"errors"
	"testing"
	"time"
)

// FuzzParse checks that no input makes the parsers panic, that whatever
// Parse accepts round-trips through String and Formatted with a key that
// recomputes, and that ParseExternal differs from Parse only on the key.
func FuzzParse(f *testing.F) {
	for _, seed := range []struct{ s, oid string }{
		{"297022A02077878", OIDNIR},
		{"1 80 03 2B 020 401 23", OIDNIR},
		{"160012b020777 13", OIDNIR},
		{"297022A02077877", OIDNIR},
		{"890129912345609", OIDNIA},
		{"775509912300114", OIDTestNIR},
		{"167069840501294", "urn:oid:" + OIDDemoNIR},
		{"297022A020778", OIDNIR},
		{"", ""},
		{"2A2A2A2A2A2A2A2", OIDNIR},
		{"\u00a0é\x00\xff", OIDNIA},
	} {
		f.Add(seed.s, seed.oid)
	}
	f.Fuzz(func(t *testing.T, s, oid string) {
		m, err := Parse(s, oid)
		ext, warnings, extErr := ParseExternal(s, oid)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Message == "" {
				t.Fatalf("Parse(%q, %q): error %v is not a *ParseError with a message", s, oid, err)
			}
			if errors.Is(err, ErrBadKey) {
				if extErr != nil || len(warnings) != 1 || ext.IsZero() {
					t.Fatalf("ParseExternal(%q, %q) = %+v, %q, %v after a key error", s, oid, ext, warnings, extErr)
				}
			} else if extErr == nil {
				t.Fatalf("ParseExternal(%q, %q) accepted what Parse refused: %v", s, oid, err)
			}
			return
		}
		if extErr != nil || len(warnings) != 0 || ext != m {
			t.Fatalf("ParseExternal(%q, %q) = %+v, %q, %v; Parse gave %+v", s, oid, ext, warnings, extErr, m)
		}
		if len(m.String()) != Len || !ValidOID(m.OID) {
			t.Fatalf("Parse(%q, %q) = %+v: wrong length or OID", s, oid, m)
		}
		for _, again := range []string{m.String(), m.Formatted()} {
			if m2, err := Parse(again, m.OID); err != nil || m2 != m {
				t.Fatalf("round trip of %+v through %q = %+v, %v", m, again, m2, err)
			}
		}
		if k, err := ComputeKey(m.Number); err != nil || k != m.Key {
			t.Fatalf("ComputeKey(%q) = %q, %v; parsed key %q", m.Number, k, err, m.Key)
		}
		_ = m.CheckTraits(SexFemale, time.Date(1997, 2, 1, 0, 0, 0, 0, time.UTC))
	})
}
