package demo

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/icholy/digest"
)

// authResult is the outcome of checking digest credentials.
type authResult int

const (
	authMissing   authResult = iota // no credentials: challenge
	authOK                          // credentials valid
	authStale                       // nonce expired or unknown to us: challenge with stale=true
	authFailed                      // wrong user or password: 403
	authMalformed                   // credentials unparsable: 400
)

// String names the result for logs.
func (r authResult) String() string {
	switch r {
	case authMissing:
		return "missing"
	case authOK:
		return "ok"
	case authStale:
		return "stale"
	case authFailed:
		return "failed"
	case authMalformed:
		return "malformed"
	}
	return "unknown"
}

// digestAuth issues and checks HTTP digest (RFC 7616 as used by RFC 3261
// §22.4) challenges with qop=auth. Nonces are stateless (an expiry, random
// bytes and an HMAC); the nonce counts seen per nonce are kept to refuse
// replays.
type digestAuth struct {
	realm    string
	lifetime time.Duration
	now      func() time.Time
	secret   [32]byte
	users    map[string]string // user → password; read-only after construction

	mu   sync.Mutex
	seen map[string]seenNonce // nonce → highest nc accepted; guarded by mu
}

type seenNonce struct {
	nc      int
	expires time.Time
}

// errBadNonce means a nonce that was not made by us (or was tampered with).
var errBadNonce = errors.New("bad nonce")

func newDigestAuth(realm string, lifetime time.Duration, users map[string]string) *digestAuth {
	a := &digestAuth{realm: realm, lifetime: lifetime, now: time.Now, users: users, seen: map[string]seenNonce{}}
	if _, err := rand.Read(a.secret[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return a
}

// challenge returns a header value for WWW-Authenticate / Proxy-Authenticate.
func (a *digestAuth) challenge(stale bool) string {
	c := digest.Challenge{
		Realm:     a.realm,
		Nonce:     a.nonce(),
		Algorithm: "MD5",
		QOP:       []string{"auth"},
		Stale:     stale,
	}
	return c.String()
}

// nonce is base64url(expiry ‖ 8 random bytes ‖ HMAC-SHA256[:16]).
func (a *digestAuth) nonce() string {
	var b [8 + 8 + 16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(a.now().Add(a.lifetime).Unix()))
	if _, err := rand.Read(b[8:16]); err != nil {
		panic(err)
	}
	m := hmac.New(sha256.New, a.secret[:])
	m.Write(b[:16])
	copy(b[16:], m.Sum(nil))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// checkNonce verifies our MAC and returns the expiry.
func (a *digestAuth) checkNonce(n string) (time.Time, error) {
	b, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(b) != 32 {
		return time.Time{}, errBadNonce
	}
	m := hmac.New(sha256.New, a.secret[:])
	m.Write(b[:16])
	if !hmac.Equal(m.Sum(nil)[:16], b[16:]) {
		return time.Time{}, errBadNonce
	}
	return time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0), nil
}

// verify checks the credentials in header (Authorization or
// Proxy-Authorization) for method. wantUser, if not empty, must be the
// authenticated user (REGISTER: the AOR's user part). It returns the user.
func (a *digestAuth) verify(header, method, wantUser string) (string, authResult) {
	if header == "" {
		return "", authMissing
	}
	if !digest.IsDigest(header) {
		return "", authMissing // another scheme: offer ours
	}
	cred, err := digest.ParseCredentials(header)
	if err != nil || cred.Username == "" || cred.Nonce == "" || cred.Response == "" || cred.URI == "" {
		return "", authMalformed
	}
	if cred.Realm != a.realm {
		return "", authMissing // credentials for someone else's realm: challenge for ours
	}
	if alg := strings.ToUpper(cred.Algorithm); alg != "" && alg != "MD5" {
		return "", authMissing
	}
	if cred.QOP != "auth" || cred.Cnonce == "" || cred.Nc <= 0 {
		return "", authMissing // we only accept qop=auth
	}
	exp, err := a.checkNonce(cred.Nonce)
	if err != nil {
		return "", authStale
	}
	if !a.now().Before(exp) {
		return "", authStale
	}
	pass, ok := a.users[cred.Username]
	if !ok || (wantUser != "" && cred.Username != wantUser) {
		return "", authFailed
	}
	want, err := digest.Digest(&digest.Challenge{Realm: a.realm, Nonce: cred.Nonce, QOP: []string{"auth"}, Algorithm: cred.Algorithm},
		digest.Options{Method: method, URI: cred.URI, Username: cred.Username, Password: pass, Cnonce: cred.Cnonce, Count: cred.Nc})
	if err != nil {
		return "", authMalformed
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(cred.Response)), []byte(want.Response)) != 1 {
		return "", authFailed
	}
	// Replay protection: every use of a nonce needs a higher nc (RFC 7616 §3.3).
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	for n, s := range a.seen {
		if !now.Before(s.expires) {
			delete(a.seen, n)
		}
	}
	if s, ok := a.seen[cred.Nonce]; ok && cred.Nc <= s.nc {
		return "", authStale
	}
	a.seen[cred.Nonce] = seenNonce{nc: cred.Nc, expires: exp}
	return cred.Username, authOK
}
