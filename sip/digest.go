package sip

import (
	"fmt"
	"strings"

	"github.com/icholy/digest"
)

// authorize answers a digest challenge (RFC 2617/7616 as used by RFC 3261
// §22) and returns the credentials header value. qop=auth is used whenever
// the server offers it, as Kamailio requires.
func authorize(challenge, method, uri, user, password, cnonce string) (string, error) {
	chal, err := digest.ParseChallenge(challenge)
	if err != nil {
		return "", fmt.Errorf("parse digest challenge: %w", err)
	}
	chal.Algorithm = strings.ToUpper(chal.Algorithm)
	if !digest.CanDigest(chal) {
		return "", fmt.Errorf("unsupported digest challenge (algorithm %q, qop %v)", chal.Algorithm, chal.QOP)
	}
	cred, err := digest.Digest(chal, digest.Options{
		Method:   method,
		URI:      uri,
		Username: user,
		Password: password,
		Cnonce:   cnonce,
		Count:    1,
	})
	if err != nil {
		return "", err
	}
	return cred.String(), nil
}

// isStale reports whether a challenge says only the nonce was stale (the
// password was right), RFC 2617 §3.2.1.
func isStale(challenge string) bool {
	chal, err := digest.ParseChallenge(challenge)
	return err == nil && chal.Stale
}
