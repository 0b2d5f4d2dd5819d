package sip

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"
)

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestAuthorizeKnownAnswers(t *testing.T) {
	tests := []struct {
		name, challenge, method, uri, user, pass, cnonce string
		wantResponse                                     string
		wantParts                                        []string
	}{
		{
			// RFC 2617 §3.5 example (qop=auth, nc=00000001, cnonce 0a4f113b).
			name:         "RFC 2617 qop=auth",
			challenge:    `Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"`,
			method:       "GET",
			uri:          "/dir/index.html",
			user:         "Mufasa",
			pass:         "Circle Of Life",
			cnonce:       "0a4f113b",
			wantResponse: "6629fae49393a05397450978507c4ef1",
			wantParts:    []string{`qop=auth`, `nc=00000001`, `cnonce="0a4f113b"`, `opaque="5ccc069c403ebaf9f0171e9517f40e41"`},
		},
		{
			// RFC 2069 compatibility (no qop): response = MD5(HA1:nonce:HA2).
			name:      "no qop",
			challenge: `Digest realm="localhost", nonce="abc123"`,
			method:    "REGISTER",
			uri:       "sip:localhost",
			user:      "alice",
			pass:      "secret",
			wantResponse: md5hex(md5hex("alice:localhost:secret") + ":abc123:" +
				md5hex("REGISTER:sip:localhost")),
		},
		{
			// Kamailio's challenge shape: qop="auth" and lower-case algorithm.
			name:      "kamailio qop=auth",
			challenge: `Digest realm="localhost", nonce="Z1x2Y3", qop="auth", algorithm=md5`,
			method:    "INVITE",
			uri:       "sip:bob@localhost",
			user:      "alice",
			pass:      "pw",
			cnonce:    "deadbeef",
			wantResponse: md5hex(md5hex("alice:localhost:pw") + ":Z1x2Y3:00000001:deadbeef:auth:" +
				md5hex("INVITE:sip:bob@localhost")),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := authorize(tt.challenge, tt.method, tt.uri, tt.user, tt.pass, tt.cnonce)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got, `response="`+tt.wantResponse+`"`) {
				t.Fatalf("credentials %s\nwant response %s", got, tt.wantResponse)
			}
			for _, p := range tt.wantParts {
				if !strings.Contains(got, p) {
					t.Errorf("credentials %s lack %s", got, p)
				}
			}
		})
	}
}

func TestAuthorizeRejects(t *testing.T) {
	for _, c := range []string{
		`Basic realm="x"`,
		`Digest realm="x", nonce="n", algorithm=SHA-1024`,
		`Digest realm="x", nonce="n", qop="auth-conf"`,
		``,
	} {
		if _, err := authorize(c, "REGISTER", "sip:x", "u", "p", ""); err == nil {
			t.Errorf("authorize(%q) succeeded", c)
		}
	}
}

func TestIsStale(t *testing.T) {
	if !isStale(`Digest realm="x", nonce="n", stale=true, qop="auth"`) {
		t.Error("stale=true not seen")
	}
	if isStale(`Digest realm="x", nonce="n", qop="auth"`) {
		t.Error("stale without stale=true")
	}
}
