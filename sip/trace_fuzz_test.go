package sip

import (
	"regexp"
	"strings"
	"testing"
)

// redactedLine is the only shape an a=crypto line may have after redact.
var redactedLine = regexp.MustCompile(`^(?i:a=crypto:)(\d+ [A-Z0-9_]+ )?\[REDACTED\]$`)

// FuzzRedact: traces are built from network input; redaction must never
// panic and must leave no a=crypto line with key material, whatever the
// line endings.
func FuzzRedact(f *testing.F) {
	f.Add("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32\r\n")
	f.Add("v=0\r\nA=CRYPTO:2 AEAD_AES_128_GCM inline:abc\na=sendrecv")
	f.Add("a=crypto:")
	f.Add("0\rA=CRYPTO:0 0 0")
	f.Add("Authorization: Digest response=\"abc\", cnonce=\"x\"")
	f.Fuzz(func(t *testing.T, msg string) {
		out := redactMessage(msg)
		for _, line := range strings.FieldsFunc(out, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if strings.HasPrefix(strings.ToLower(line), "a=crypto:") && !redactedLine.MatchString(line) {
				t.Fatalf("unredacted crypto line %q from %q", line, msg)
			}
		}
	})
}
