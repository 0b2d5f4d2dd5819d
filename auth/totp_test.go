package auth

import (
	"encoding/base32"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RFC 6238 Appendix B: the seeds are the ASCII strings below (20, 32 and
// 64 bytes for SHA1, SHA256, SHA512), 8 digits, 30 s step.
func TestTOTPKnownAnswersRFC6238(t *testing.T) {
	seed := func(n int) string {
		const s = "1234567890"
		b := make([]byte, n)
		for i := range b {
			b[i] = s[i%10]
		}
		return base32.StdEncoding.EncodeToString(b)
	}
	algs := []struct {
		name string
		alg  otp.Algorithm
		key  string
	}{
		{"SHA1", otp.AlgorithmSHA1, seed(20)},
		{"SHA256", otp.AlgorithmSHA256, seed(32)},
		{"SHA512", otp.AlgorithmSHA512, seed(64)},
	}
	vectors := []struct {
		unix  int64
		codes [3]string // SHA1, SHA256, SHA512
	}{
		{59, [3]string{"94287082", "46119246", "90693936"}},
		{1111111109, [3]string{"07081804", "68084774", "25091201"}},
		{1111111111, [3]string{"14050471", "67062674", "99943326"}},
		{1234567890, [3]string{"89005924", "91819424", "93441116"}},
		{2000000000, [3]string{"69279037", "90698825", "38618901"}},
		{20000000000, [3]string{"65353130", "77737706", "47863826"}},
	}
	for _, v := range vectors {
		for i, a := range algs {
			t.Run(fmt.Sprintf("%s/%d", a.name, v.unix), func(t *testing.T) {
				p := totpParams{Digits: otp.DigitsEight, Algorithm: a.alg}
				now := time.Unix(v.unix, 0)
				got, err := totpCodeAt(a.key, totpStep(now), p)
				require.NoError(t, err)
				assert.Equal(t, v.codes[i], got)

				step, ok := checkTOTP(a.key, v.codes[i], now, -1, p)
				assert.True(t, ok, "the verifier accepts the RFC code")
				assert.Equal(t, totpStep(now), step)
			})
		}
	}
}

func TestCheckTOTPWindowAndReplay(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	now := time.Unix(1111111111, 0)
	cur := totpStep(now)
	codeAt := func(off int64) string {
		c, err := totpCodeAt(secret, cur+off, totpDefault)
		require.NoError(t, err)
		return c
	}
	tests := []struct {
		name     string
		code     string
		lastStep int64
		wantOK   bool
		wantStep int64
	}{
		{"current step", codeAt(0), -1, true, cur},
		{"one step ago (skew)", codeAt(-1), -1, true, cur - 1},
		{"one step ahead (skew)", codeAt(1), -1, true, cur + 1},
		{"two steps ago refused", codeAt(-2), -1, false, 0},
		{"two steps ahead refused", codeAt(2), -1, false, 0},
		{"replay of the accepted step refused", codeAt(0), cur, false, 0},
		{"earlier than the last accepted step refused", codeAt(-1), cur, false, 0},
		{"next step after the last accepted one", codeAt(1), cur, true, cur + 1},
		{"spaces typed by people", codeAt(0)[:3] + " " + codeAt(0)[3:], -1, true, cur},
		{"wrong code", wrongCode(codeAt(-1), codeAt(0), codeAt(1)), -1, false, 0},
		{"too short", codeAt(0)[:5], -1, false, 0},
		{"too long", codeAt(0) + "1", -1, false, 0},
		{"letters", "abcdef", -1, false, 0},
		{"empty", "", -1, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := checkTOTP(secret, tt.code, now, tt.lastStep, totpDefault)
			assert.Equal(t, tt.wantOK, ok)
			if ok {
				assert.Equal(t, tt.wantStep, step)
			}
		})
	}
}

func TestNewTOTPKey(t *testing.T) {
	key, enr, err := newTOTPKey("Softphone", "alice", cryptoRand{})
	require.NoError(t, err)
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(enr.Secret)
	require.NoError(t, err)
	assert.Len(t, raw, 20, "160-bit secret")
	assert.Equal(t, key.Secret(), enr.Secret)
	assert.Contains(t, enr.URI, "otpauth://totp/Softphone:alice?")
	assert.Contains(t, enr.URI, "secret="+enr.Secret)
	assert.Contains(t, enr.URI, "period=30")
	assert.Contains(t, enr.URI, "digits=6")
	assert.Equal(t, []byte("\x89PNG"), enr.QRPNG[:4])
}

// wrongCode returns a 6-digit code equal to none of valid.
func wrongCode(valid ...string) string {
	for i := 0; ; i++ {
		c := fmt.Sprintf("%06d", i)
		if !slices.Contains(valid, c) {
			return c
		}
	}
}
