package access_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/relais-dui/relais/access"
	"github.com/relais-dui/relais/domain"
)

// cheap are low argon2 costs for tests that hash many passwords.
func cheap() access.Argon2Params {
	return access.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

func TestHashPasswordRoundTrip(t *testing.T) {
	const pw = "cheval correct agrafe"
	h, err := access.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Errorf("hash %q is not a PHC argon2id string with the default costs", h)
	}
	if h2, _ := access.HashPassword(pw); h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if access.NeedsRehash(h) {
		t.Error("a hash with today's costs needs rehashing")
	}
	ok, err := access.VerifyPassword(h, pw)
	if err != nil || !ok {
		t.Errorf("VerifyPassword(right password) = %v, %v", ok, err)
	}

	// The costs are read back from the hash: a hash made with other costs
	// still verifies, and is flagged for rehashing.
	low, err := access.HashPasswordWith(pw, cheap())
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := access.VerifyPassword(low, pw); err != nil || !ok {
		t.Errorf("VerifyPassword(low-cost hash) = %v, %v", ok, err)
	}
	if !access.NeedsRehash(low) {
		t.Error("a low-cost hash is not flagged for rehashing")
	}

	parts := strings.Split(low, "$")
	flip := func(s string) string { // change one character of a base64 field
		c := byte('A')
		if s[0] == 'A' {
			c = 'B'
		}
		return string(c) + s[1:]
	}
	mismatches := []struct{ name, hash, pw string }{
		{"wrong password", low, pw + "!"},
		{"empty password", low, ""},
		{"tampered hash", strings.Join(append(parts[:5:5], flip(parts[5])), "$"), pw},
		{"tampered salt", strings.Join([]string{"", parts[1], parts[2], parts[3], flip(parts[4]), parts[5]}, "$"), pw},
		{"tampered costs", strings.Replace(low, "t=1", "t=2", 1), pw},
	}
	for _, tt := range mismatches {
		ok, err := access.VerifyPassword(tt.hash, tt.pw)
		if ok || err != nil {
			t.Errorf("%s: VerifyPassword = %v, %v; want false, nil", tt.name, ok, err)
		}
	}
	malformed := []struct{ name, hash string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"},
		{"argon2i", strings.Replace(low, "argon2id", "argon2i", 1)},
		{"other version", strings.Replace(low, "v=19", "v=16", 1)},
		{"trailing text in costs", strings.Replace(low, "p=1", "p=1x", 1)},
		{"absurd memory", strings.Replace(low, "m=64", "m=4000000000", 1)},
		{"zero passes", strings.Replace(low, "t=1", "t=0", 1)},
		{"bad base64", strings.Join(append(parts[:5:5], "***"), "$")},
		{"short key", strings.Join(append(parts[:5:5], "AAAA"), "$")},
		{"missing field", strings.Join(parts[:5], "$")},
	}
	for _, tt := range malformed {
		if ok, err := access.VerifyPassword(tt.hash, pw); ok || err == nil {
			t.Errorf("%s: VerifyPassword = %v, %v; want false and an error", tt.name, ok, err)
		}
		if !access.NeedsRehash(tt.hash) {
			t.Errorf("%s: an unreadable hash is not flagged for rehashing", tt.name)
		}
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"", false},
		{"onze-caract", false}, // 11
		{"douze-caract", true}, // 12
		{"éàèùâêîôûëïç", true}, // 12 characters, 24 bytes
		{"ééééééééééé", false}, // 11 characters, 22 bytes
		{"une phrase de passe assez longue", true},
	}
	for _, tt := range tests {
		err := access.CheckPasswordPolicy(tt.pw)
		if tt.ok {
			if err != nil {
				t.Errorf("CheckPasswordPolicy(%q) = %v, want nil", tt.pw, err)
			}
			continue
		}
		v, ok := domain.AsValidation(err)
		if !ok || !strings.Contains(v.Fields["password"], "12 caractères") {
			t.Errorf("CheckPasswordPolicy(%q) = %v, want a French message on field password", tt.pw, err)
		}
	}
}
