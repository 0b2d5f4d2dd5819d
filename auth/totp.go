package auth

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"image/png"
	"io"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters (RFC 6238): 160-bit secret, HMAC-SHA1, 30 s step, 6 digits,
// one step of clock skew either way. These are what authenticator apps
// support everywhere.
const (
	totpPeriod     = 30
	totpSecretSize = 20 // bytes = 160 bits (RFC 4226 section 4 recommends 160)
	totpSkew       = 1
	qrSize         = 256 // QR PNG width and height in pixels
)

// totpParams select the TOTP variant. Production uses totpDefault; the
// RFC 6238 known-answer tests use 8 digits and all three hashes.
type totpParams struct {
	Digits    otp.Digits
	Algorithm otp.Algorithm
}

var totpDefault = totpParams{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep is the RFC 6238 time step counter T = floor(unix / 30).
func totpStep(t time.Time) int64 { return t.Unix() / totpPeriod }

// totpCodeAt returns the code of step for the base32 secret.
func totpCodeAt(secret string, step int64, p totpParams) (string, error) {
	return totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totp.ValidateOpts{
		Period: totpPeriod, Digits: p.Digits, Algorithm: p.Algorithm,
	})
}

// checkTOTP verifies code against the steps now-1, now, now+1 and returns the
// matching step. A step at or before lastStep is refused: each code is
// accepted once, and nothing older than the last accepted one. All candidate
// steps are compared in constant time; there is no early exit.
func checkTOTP(secret, code string, now time.Time, lastStep int64, p totpParams) (int64, bool) {
	code = normaliseCode(code)
	if len(code) != p.Digits.Length() {
		return 0, false
	}
	cur := totpStep(now)
	var matched int64
	ok := 0
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := totpCodeAt(secret, step, p)
		if err != nil {
			return 0, false
		}
		eq := subtle.ConstantTimeCompare([]byte(want), []byte(code))
		fresh := 0
		if step > lastStep {
			fresh = 1
		}
		if eq&fresh == 1 {
			matched, ok = step, 1
		}
	}
	return matched, ok == 1
}

// normaliseCode removes spaces and dashes people type or paste.
func normaliseCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		return r
	}, code)
}

// isTOTPCode reports whether code has the shape of a TOTP code (digits only),
// as opposed to a recovery code.
func isTOTPCode(code string) bool {
	code = normaliseCode(code)
	if code == "" || len(code) > 8 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Enrolment is what the first login shows: the new TOTP secret as otpauth
// URI, as text for manual entry and as a QR code. Show it once.
type Enrolment struct {
	URI    string // otpauth://totp/ISSUER:PROFILE?secret=…
	Secret string // base32 secret for manual entry
	QRPNG  []byte // the URI as a PNG QR code, qrSize pixels square
}

// newTOTPKey makes a fresh secret from rnd (crypto/rand in production).
func newTOTPKey(issuer, account string, rnd io.Reader) (*otp.Key, *Enrolment, error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      totpDefault.Digits,
		Algorithm:   totpDefault.Algorithm,
		Rand:        rnd,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("generate TOTP secret: %w", err)
	}
	img, err := key.Image(qrSize, qrSize)
	if err != nil {
		return nil, nil, fmt.Errorf("QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, nil, fmt.Errorf("QR code: %w", err)
	}
	return key, &Enrolment{URI: key.URL(), Secret: key.Secret(), QRPNG: buf.Bytes()}, nil
}
