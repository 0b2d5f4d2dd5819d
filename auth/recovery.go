package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"io"
	"strings"
)

// RecoveryCodeCount is how many single-use recovery codes an enrolment makes.
const RecoveryCodeCount = 10

// recoveryCodeBytes is the entropy of one recovery code: 80 bits, shown as
// 16 base32 characters in groups of four (XXXX-XXXX-XXXX-XXXX).
const recoveryCodeBytes = 10

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRecoveryCodes makes n codes from rnd and their hashes under salt.
func newRecoveryCodes(n int, salt []byte, rnd io.Reader) (codes []string, hashes [][]byte, err error) {
	for range n {
		raw := make([]byte, recoveryCodeBytes)
		if _, err := io.ReadFull(rnd, raw); err != nil {
			return nil, nil, err
		}
		s := b32.EncodeToString(raw)
		codes = append(codes, s[0:4]+"-"+s[4:8]+"-"+s[8:12]+"-"+s[12:16])
		hashes = append(hashes, hashRecoveryCode(salt, s))
	}
	return codes, hashes, nil
}

// hashRecoveryCode hashes a normalised code. A fast salted hash is enough:
// the codes carry 80 random bits, so guessing them offline is hopeless, and
// checking ten of them with argon2id would cost seconds per login.
func hashRecoveryCode(salt []byte, normalised string) []byte {
	h := sha256.New()
	h.Write([]byte("softphone recovery code v1\x00"))
	h.Write(salt)
	h.Write([]byte(normalised))
	return h.Sum(nil)
}

// matchRecoveryCode returns the index of the stored hash that code matches,
// comparing against every hash in constant time.
func matchRecoveryCode(salt []byte, hashes [][]byte, code string) (int, bool) {
	c := strings.ToUpper(normaliseCode(code))
	if len(c) != 16 {
		return -1, false
	}
	got := hashRecoveryCode(salt, c)
	idx := -1
	for i, h := range hashes {
		if subtle.ConstantTimeCompare(got, h) == 1 {
			idx = i
		}
	}
	return idx, idx >= 0
}

// randomBytes returns n bytes from crypto/rand.
func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	_, err := rand.Read(b)
	return b, err
}
