package sdp

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// SRTP crypto suites (RFC 4568, RFC 7714).
const (
	SuiteAESCM128HMACSHA180 = "AES_CM_128_HMAC_SHA1_80"
	SuiteAEADAES128GCM      = "AEAD_AES_128_GCM"
)

// SuiteKeyLen returns the inline key||salt length of a supported suite: 30 bytes for
// AES_CM_128 (16+14, RFC 4568) and 28 bytes for AEAD_AES_128_GCM (16+12, RFC 7714 section 12).
// It returns 0 for a suite we do not support.
func SuiteKeyLen(suite string) int {
	switch suite {
	case SuiteAESCM128HMACSHA180:
		return 30
	case SuiteAEADAES128GCM:
		return 28
	}
	return 0
}

// ParseCrypto parses the value of an a=crypto attribute: "tag suite inline:key[|lifetime][|MKI:len] [params]".
// Lines with MKI, several keys or a key of the wrong length for a known suite are rejected, as we
// cannot use them.
func ParseCrypto(v string) (Crypto, error) {
	f := strings.Fields(v)
	if len(f) < 3 {
		return Crypto{}, fmt.Errorf("%w: crypto %q", ErrMalformed, v)
	}
	tag, err := strconv.Atoi(f[0])
	if err != nil || tag < 0 || tag > 999999999 {
		return Crypto{}, fmt.Errorf("%w: crypto tag", ErrMalformed)
	}
	c := Crypto{Tag: tag, Suite: f[1]}
	keyParams := f[2]
	if strings.Contains(keyParams, ";") {
		return Crypto{}, fmt.Errorf("%w: several crypto keys are not supported", ErrMalformed)
	}
	method, info, ok := strings.Cut(keyParams, ":")
	if !ok || method != "inline" {
		return Crypto{}, fmt.Errorf("%w: crypto key method", ErrMalformed)
	}
	keyB64, rest, _ := strings.Cut(info, "|")
	for _, p := range strings.Split(rest, "|") {
		if strings.Contains(p, ":") { // MKI:length
			return Crypto{}, fmt.Errorf("%w: crypto MKI is not supported", ErrMalformed)
		}
	}
	key, err := base64.StdEncoding.DecodeString(keyB64)
	if err != nil {
		// Some stacks omit padding.
		key, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(keyB64, "="))
		if err != nil {
			return Crypto{}, fmt.Errorf("%w: crypto key encoding", ErrMalformed)
		}
	}
	if n := SuiteKeyLen(c.Suite); n != 0 && len(key) != n {
		return Crypto{}, fmt.Errorf("%w: crypto key length %d for %s", ErrMalformed, len(key), c.Suite)
	}
	c.Key = key
	params := []string{}
	if rest != "" {
		params = append(params, "|"+rest)
	}
	params = append(params, f[3:]...)
	c.Params = strings.Join(params, " ")
	return c, nil
}

// String renders the attribute value (without "a=crypto:").
func (c Crypto) String() string {
	s := fmt.Sprintf("%d %s inline:%s", c.Tag, c.Suite, base64.StdEncoding.EncodeToString(c.Key))
	if c.Params != "" {
		if strings.HasPrefix(c.Params, "|") {
			s += c.Params
		} else {
			s += " " + c.Params
		}
	}
	return s
}
