// Package access answers three questions for every door into Relais: who is
// this (passwords, sessions), may they do this (the casbin role matrix per
// organisation) and what did they do (the hash-chained access trail).
package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/relais-dui/relais/domain"
)

// Argon2Params are the argon2id costs. They are written into every hash, so
// raising them later leaves old hashes verifiable; NeedsRehash tells when a
// hash was made with lower costs than today's.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultArgon2Params are the costs of new hashes: 64 MiB, 3 passes, 2
// lanes, about a tenth of a second on a small server (RFC 9106's second
// recommended option, with more passes).
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}
}

// Bounds on parameters read back from a stored hash, so that a corrupted or
// forged hash cannot make a login allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	minKeyLen    = 16
	maxKeyLen    = 64
	minSaltLen   = 8
	maxSaltLen   = 64
)

// MinPasswordLength is the policy's minimum, in characters.
const MinPasswordLength = 12

// HashPassword hashes pw with argon2id and a random salt into a PHC string
// (salt and hash in unpadded standard base64):
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	return HashPasswordWith(pw, DefaultArgon2Params())
}

// HashPasswordWith hashes with explicit costs.
func HashPasswordWith(pw string, p Argon2Params) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

func (p Argon2Params) check() error {
	switch {
	case p.Threads == 0, p.Time == 0 || p.Time > maxTime,
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB,
		p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen,
		p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("argon2id parameters out of bounds: %+v", p)
	}
	return nil
}

// errMalformedHash is returned for a stored hash this package cannot read.
var errMalformedHash = errors.New("malformed argon2id hash")

// decodeHash parses a PHC argon2id string.
func decodeHash(encoded string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", errMalformedHash, parts[2])
	}
	// Sscanf ignores trailing text: printing back must give the same string.
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads) != parts[3] {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", errMalformedHash, parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: salt: %v", errMalformedHash, err)
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: hash: %v", errMalformedHash, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.check(); err != nil {
		return p, nil, nil, fmt.Errorf("%w: %v", errMalformedHash, err)
	}
	return p, salt, key, nil
}

// VerifyPassword reports whether pw matches the encoded hash, comparing in
// constant time. A hash that cannot be read is an error (and no match).
func VerifyPassword(encoded, pw string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded was made with weaker costs than
// DefaultArgon2Params (or cannot be read): rehash at the next good login.
func NeedsRehash(encoded string) bool {
	p, _, _, err := decodeHash(encoded)
	if err != nil {
		return true
	}
	d := DefaultArgon2Params()
	return p.Memory < d.Memory || p.Time < d.Time || p.Threads < d.Threads || p.KeyLen < d.KeyLen || p.SaltLen < d.SaltLen
}

// CheckPasswordPolicy enforces the password rules: at least
// MinPasswordLength characters. Length is what resists guessing; composition
// rules mostly produce "Motdepasse1!" (ANSSI and NIST guidance).
func CheckPasswordPolicy(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		v := &domain.ValidationError{}
		v.Add("password", fmt.Sprintf("Le mot de passe doit compter au moins %d caractères.", MinPasswordLength))
		return v
	}
	return nil
}
