package demo

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/icholy/digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// md5Response is RFC 2617 §3.2.2.1 for qop=auth, written independently of
// the digest package the PBX uses.
func md5Response(user, realm, pass, method, uri, nonce, nc, cnonce string) string {
	h := func(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }
	return h(h(user+":"+realm+":"+pass) + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + h(method+":"+uri))
}

func TestMD5ResponseKnownAnswer(t *testing.T) {
	// RFC 2617 §3.5.
	got := md5Response("Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
		"dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b")
	assert.Equal(t, "6629fae49393a05397450978507c4ef1", got)
}

// authHeader builds credentials the way a phone answers a challenge.
func authHeader(user, realm, pass, method, uri, nonce string, nc int, cnonce string) string {
	resp := md5Response(user, realm, pass, method, uri, nonce, fmt.Sprintf("%08x", nc), cnonce)
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, qop=auth, nc=%08x, cnonce="%s"`,
		user, realm, nonce, uri, resp, nc, cnonce)
}

func TestDigestAuth(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	a := newDigestAuth("localhost", time.Minute, map[string]string{"1001": "secret"})
	a.now = func() time.Time { return now }

	chal, err := digest.ParseChallenge(a.challenge(false))
	require.NoError(t, err)
	assert.Equal(t, []string{"auth"}, chal.QOP)
	assert.Equal(t, "localhost", chal.Realm)
	nonce := chal.Nonce
	stale, err := digest.ParseChallenge(a.challenge(true))
	require.NoError(t, err)
	assert.True(t, stale.Stale)

	tampered := []byte(nonce)
	tampered[3] ^= 1

	tests := []struct {
		name   string
		header string
		want   authResult
		at     time.Duration // after now
	}{
		{"none", "", authMissing, 0},
		{"basic auth", "Basic MTAwMTpzZWNyZXQ=", authMissing, 0},
		{"broken digest", `Digest username="1001", nc=zz`, authMalformed, 0},
		{"valid", authHeader("1001", "localhost", "secret", "REGISTER", "sip:localhost", nonce, 1, "c1"), authOK, 0},
		{"replayed nc", authHeader("1001", "localhost", "secret", "REGISTER", "sip:localhost", nonce, 1, "c1"), authStale, 0},
		{"next nc", authHeader("1001", "localhost", "secret", "REGISTER", "sip:localhost", nonce, 2, "c2"), authOK, 0},
		{"wrong password", authHeader("1001", "localhost", "wrong", "REGISTER", "sip:localhost", nonce, 3, "c3"), authFailed, 0},
		{"unknown user", authHeader("1002", "localhost", "secret", "REGISTER", "sip:localhost", nonce, 4, "c4"), authFailed, 0},
		{"other realm", authHeader("1001", "example.com", "secret", "REGISTER", "sip:localhost", nonce, 5, "c5"), authMissing, 0},
		{"method mismatch", authHeader("1001", "localhost", "secret", "INVITE", "sip:localhost", nonce, 6, "c6"), authFailed, 0},
		{"tampered nonce", authHeader("1001", "localhost", "secret", "REGISTER", "sip:localhost", string(tampered), 1, "c7"), authStale, 0},
		{"expired nonce", authHeader("1001", "localhost", "secret", "REGISTER", "sip:localhost", nonce, 9, "c9"), authStale, 2 * time.Minute},
		{"no qop", strings.Replace(authHeader("1001", "localhost", "secret", "REGISTER", "sip:localhost", nonce, 10, "c"), "qop=auth, ", "", 1), authMissing, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a.now = func() time.Time { return now.Add(tc.at) }
			user, got := a.verify(tc.header, "REGISTER", "")
			assert.Equal(t, tc.want, got, got.String())
			if got == authOK {
				assert.Equal(t, "1001", user)
			}
		})
	}

	t.Run("REGISTER must authenticate as the AOR", func(t *testing.T) {
		a.now = func() time.Time { return now }
		b := newDigestAuth("localhost", time.Minute, map[string]string{"1001": "secret", "1002": "other"})
		c, _ := digest.ParseChallenge(b.challenge(false))
		_, got := b.verify(authHeader("1002", "localhost", "other", "REGISTER", "sip:localhost", c.Nonce, 1, "x"), "REGISTER", "1001")
		assert.Equal(t, authFailed, got)
	})
}

func FuzzDigestVerify(f *testing.F) {
	a := newDigestAuth("localhost", time.Minute, map[string]string{"1001": "secret"})
	chal, _ := digest.ParseChallenge(a.challenge(false))
	f.Add(authHeader("1001", "localhost", "secret", "REGISTER", "sip:localhost", chal.Nonce, 1, "c"))
	f.Add(`Digest username="1001", nc=zz`)
	f.Fuzz(func(t *testing.T, header string) {
		user, res := a.verify(header, "REGISTER", "")
		if res == authOK && user != "1001" {
			t.Fatalf("authenticated as %q", user)
		}
	})
}
