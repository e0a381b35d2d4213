package ins

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestComputeKey(t *testing.T) {
	tests := []struct {
		number, key string
	}{
		// Corsica vectors checked against the INS documentation.
		{"297022A020778", "78"},
		{"180032B020401", "23"},
		{"160012B020777", "13"},
		{"297022a020778", "78"}, // lower case is read as upper
		// Ordinary numbers, computed by hand (97 - n mod 97).
		{"2550814168025", "38"},
		{"1850375056123", "56"},
		{"2600197123045", "31"}, // overseas (971)
		{"8901299123456", "09"}, // key below 10 keeps its leading zero
		{"1670698405012", "94"},
	}
	for _, tt := range tests {
		got, err := ComputeKey(tt.number)
		if err != nil || got != tt.key {
			t.Errorf("ComputeKey(%q) = %q, %v; want %q", tt.number, got, err, tt.key)
		}
	}
}

func TestComputeKeyRefusesBadInput(t *testing.T) {
	for _, in := range []string{"", "29702", "297022A0207781", "297022C020778", "2970+2A020778", "+970222020778", "29702 A020778"} {
		if k, err := ComputeKey(in); err == nil {
			t.Errorf("ComputeKey(%q) = %q, want an error", in, k)
		}
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in, oid string
		want          Matricule
		field         string // empty when accepted
		badKey        bool
	}{
		{"corsica 2A", "297022A020778 78", OIDNIR, Matricule{"297022A020778", "78", OIDNIR}, "", false},
		{"corsica 2B", "1 80 03 2B 020 401 23", OIDNIR, Matricule{"180032B020401", "23", OIDNIR}, "", false},
		{"lower case, tabs and nbsp", "1\t60 01\u00a02b 020 777 13", OIDNIR, Matricule{"160012B020777", "13", OIDNIR}, "", false},
		{"urn:oid prefix", "255081416802538", "urn:oid:" + OIDNIR, Matricule{"2550814168025", "38", OIDNIR}, "", false},
		{"overseas 971", "260019712304531", OIDNIR, Matricule{"2600197123045", "31", OIDNIR}, "", false},
		{"born abroad (99)", "184079935000138", OIDNIR, Matricule{"1840799350001", "38", OIDNIR}, "", false},
		{"NIA starting with 8", "890129912345609", OIDNIA, Matricule{"8901299123456", "09", OIDNIA}, "", false},
		{"NIA pseudo-month 50", "7 75 50 99 123 001 14", OIDNIA, Matricule{"7755099123001", "14", OIDNIA}, "", false},
		{"test OID accepts 7/8", "890129912345609", OIDTestNIR, Matricule{"8901299123456", "09", OIDTestNIR}, "", false},
		{"overseas 984", "167069840501294", OIDDemoNIR, Matricule{"1670698405012", "94", OIDDemoNIR}, "", false},

		{"wrong key", "297022A020778 79", OIDNIR, Matricule{}, FieldKey, true},
		{"key 00", "297022A020778 00", OIDNIR, Matricule{}, FieldKey, true},
		{"key with a letter", "297022A0207787A", OIDNIR, Matricule{}, FieldKey, false},
		{"key missing", "297022A020778", OIDNIR, Matricule{}, FieldKey, false},
		{"too short", "297022A02077", OIDNIR, Matricule{}, FieldNumber, false},
		{"too long", "297022A0207787800", OIDNIR, Matricule{}, FieldNumber, false},
		{"empty", "   ", OIDNIR, Matricule{}, FieldNumber, false},
		{"punctuation", "2.97.02.2A.020.778.78", OIDNIR, Matricule{}, FieldNumber, false},
		{"accented letter", "297022É02077878", OIDNIR, Matricule{}, FieldNumber, false},
		{"sex digit 5", "597022A020778 78", OIDNIR, Matricule{}, FieldNumber, false},
		{"NIA digit under the NIR OID", "890129912345609", OIDNIR, Matricule{}, FieldNumber, false},
		{"month 13", "2971375056123 00", OIDNIR, Matricule{}, FieldNumber, false},
		{"month 00", "2970075056123 00", OIDNIR, Matricule{}, FieldNumber, false},
		{"month 45", "2974575056123 00", OIDNIR, Matricule{}, FieldNumber, false},
		{"department 00", "2970200056123 00", OIDNIR, Matricule{}, FieldNumber, false},
		{"department 979", "2970297956123 00", OIDNIR, Matricule{}, FieldNumber, false},
		{"department 981", "2970298156123 00", OIDNIR, Matricule{}, FieldNumber, false},
		{"letter outside Corsica", "297022C020778 78", OIDNIR, Matricule{}, FieldNumber, false},
		{"letter in the order", "297022A020A78 78", OIDNIR, Matricule{}, FieldNumber, false},
		{"letter in the year", "2A7022A020778 78", OIDNIR, Matricule{}, FieldNumber, false},
		{"unknown OID", "297022A020778 78", "1.2.250.1.213.1.4.2", Matricule{}, FieldOID, false},
		{"no OID", "297022A020778 78", "", Matricule{}, FieldOID, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.in, tt.oid)
			if tt.field == "" {
				if err != nil || got != tt.want {
					t.Fatalf("Parse(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
				}
				return
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %+v, %v; want a *ParseError", tt.in, got, err)
			}
			if pe.Field != tt.field || pe.Message == "" || !got.IsZero() {
				t.Errorf("Parse(%q): field %q message %q value %+v; want field %q and a zero value", tt.in, pe.Field, pe.Message, got, tt.field)
			}
			if errors.Is(err, ErrBadKey) != tt.badKey {
				t.Errorf("Parse(%q): errors.Is(ErrBadKey) = %v, want %v", tt.in, !tt.badKey, tt.badKey)
			}
		})
	}
}

func TestParseExternal(t *testing.T) {
	tests := []struct {
		name, in, oid string
		want          Matricule
		warnings      int
		wantErr       bool
	}{
		{"good key", "297022A02077878", OIDNIR, Matricule{"297022A020778", "78", OIDNIR}, 0, false},
		{"bad key warns", "297022A02077877", OIDNIR, Matricule{"297022A020778", "77", OIDNIR}, 1, false},
		{"garbage refused", "29702XA02077877", OIDNIR, Matricule{}, 0, true},
		{"bad month refused", "2971375056123 00", OIDNIR, Matricule{}, 0, true},
		{"unknown OID refused", "297022A02077878", "1.2.3", Matricule{}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := ParseExternal(tt.in, tt.oid)
			if (err != nil) != tt.wantErr || got != tt.want || len(warnings) != tt.warnings {
				t.Fatalf("ParseExternal(%q) = %+v, %q, %v", tt.in, got, warnings, err)
			}
			for _, w := range warnings {
				if strings.Contains(w, "297022") {
					t.Errorf("warning %q repeats the matricule", w)
				}
			}
		})
	}
}

func TestFormatted(t *testing.T) {
	tests := []struct {
		m    Matricule
		want string
	}{
		{Matricule{"297022A020778", "78", OIDNIR}, "2 97 02 2A 020 778 78"},
		{Matricule{"2600197123045", "31", OIDNIR}, "2 60 01 97 123 045 31"},
		{Matricule{"29702", "", OIDNIR}, "29702"},
		{Matricule{}, ""},
	}
	for _, tt := range tests {
		if got := tt.m.Formatted(); got != tt.want {
			t.Errorf("%+v.Formatted() = %q, want %q", tt.m, got, tt.want)
		}
		if got := tt.m.String(); got != tt.m.Number+tt.m.Key {
			t.Errorf("String() = %q", got)
		}
	}
}

func TestOIDs(t *testing.T) {
	for _, oid := range []string{OIDNIR, OIDNIA, OIDTestNIR, OIDDemoNIR} {
		if !ValidOID(oid) || OIDLabel(oid) == oid || !strings.HasPrefix(OIDLabel(oid), "INS-") {
			t.Errorf("OID %s: valid %v label %q", oid, ValidOID(oid), OIDLabel(oid))
		}
	}
	for _, oid := range []string{"", "1.2.250.1.213.1.4.12", "urn:oid:" + OIDNIR, " " + OIDNIR} {
		if ValidOID(oid) {
			t.Errorf("ValidOID(%q) = true", oid)
		}
	}
	m := Matricule{OID: OIDNIA}
	if !m.IsNIA() || m.IsTest() {
		t.Error("NIA kind")
	}
	if !(Matricule{OID: OIDDemoNIR}).IsTest() || !(Matricule{OID: OIDTestNIR}).IsTest() || (Matricule{OID: OIDNIR}).IsTest() {
		t.Error("test kinds")
	}
}

func TestCheckTraits(t *testing.T) {
	date := func(y int, m time.Month) time.Time { return time.Date(y, m, 14, 0, 0, 0, 0, time.UTC) }
	woman := Matricule{"297022A020778", "78", OIDNIR}  // F, 1997, February
	man := Matricule{"180032B020401", "23", OIDNIR}    // M, 1980, March
	pseudo := Matricule{"7755099123001", "14", OIDNIA} // M, 1975, unknown month
	tests := []struct {
		name  string
		m     Matricule
		sex   string
		birth time.Time
		want  []string // substrings, one per expected message
	}{
		{"consistent woman", woman, SexFemale, date(1997, time.February), nil},
		{"consistent man", man, SexMale, date(1980, time.March), nil},
		{"sex I not checked", woman, SexIndeterminate, date(1997, time.February), nil},
		{"century not encoded", woman, SexFemale, date(1897, time.February), nil},
		{"sex mismatch", woman, SexMale, date(1997, time.February), []string{"sexe féminin"}},
		{"sex mismatch other way", man, SexFemale, date(1980, time.March), []string{"sexe masculin"}},
		{"year mismatch", woman, SexFemale, date(1998, time.February), []string{"année"}},
		{"month mismatch", man, SexMale, date(1980, time.April), []string{"mois"}},
		{"all wrong", man, SexFemale, date(1981, time.April), []string{"sexe", "année", "mois"}},
		{"pseudo-month skips month", pseudo, SexMale, date(1975, time.August), nil},
		{"NIA sex still checked", pseudo, SexFemale, date(1975, time.August), []string{"sexe masculin"}},
		{"zero birth date", woman, SexFemale, time.Time{}, nil},
		{"incomplete matricule", Matricule{Number: "29"}, SexFemale, date(1997, time.February), []string{"incomplet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.m.CheckTraits(tt.sex, tt.birth)
			if len(got) != len(tt.want) {
				t.Fatalf("CheckTraits = %q, want %d messages", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("message %d = %q, want it to mention %q", i, got[i], w)
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		if _, err := Parse("2 97 02 2A 020 778 78", OIDNIR); err != nil {
			b.Fatal(err)
		}
	}
}
