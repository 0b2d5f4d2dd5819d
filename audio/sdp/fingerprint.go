package sdp

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// DTLS-SRTP transport protocols of an m= line (RFC 5764 section 8, RFC 5763 section 5).
const (
	ProtoDTLSSRTP  = "UDP/TLS/RTP/SAVP"
	ProtoDTLSSRTPF = "UDP/TLS/RTP/SAVPF"
)

// Errors of DTLS-SRTP negotiation. They wrap ErrNoCrypto where the call has no usable key
// exchange, so callers that answer 488 for missing crypto do the same here.
var (
	// ErrBadFingerprint reports an a=fingerprint attribute that does not follow RFC 8122.
	ErrBadFingerprint = fmt.Errorf("%w: bad a=fingerprint", ErrMalformed)
	// ErrNoFingerprint reports a DTLS-SRTP stream without a fingerprint we can check (none, or
	// only hash functions we do not accept).
	ErrNoFingerprint = fmt.Errorf("%w: no usable DTLS certificate fingerprint (sha-256, sha-384 or sha-512)", ErrNoCrypto)
	// ErrKeyExchangePolicy reports that the peer offers or answers only a key exchange that
	// policy does not allow (media.key_exchange).
	ErrKeyExchangePolicy = fmt.Errorf("%w: the other side's key exchange is not allowed by policy (media.key_exchange)", ErrNoCrypto)
	// ErrUnsupportedHash reports a fingerprint hash function we do not accept.
	ErrUnsupportedHash = errors.New("sdp: unsupported fingerprint hash function")
)

// maxFingerprintLen bounds the attribute value we look at (sha-512 is 64 bytes: 191 characters).
const maxFingerprintLen = 256

// Fingerprint is an a=fingerprint attribute (RFC 8122): a hash function name and the hash of
// the certificate the peer will present in the DTLS handshake.
type Fingerprint struct {
	Hash  string // lower case, e.g. "sha-256"
	Value []byte
}

// hashes are the fingerprint hash functions we accept. SHA-1 and MD5 are refused: the SDP
// travels over TLS, but a weak hash would let a forged certificate match.
var hashes = map[string]func() hash.Hash{
	"sha-256": sha256.New,
	"sha-384": sha512.New384,
	"sha-512": sha512.New,
}

// ParseFingerprint parses the value of an a=fingerprint attribute: "sha-256 AB:CD:…". It
// accepts any hash name (Supported says whether we can use it) but not malformed hex.
func ParseFingerprint(v string) (Fingerprint, error) {
	if len(v) > maxFingerprintLen {
		return Fingerprint{}, fmt.Errorf("%w: too long", ErrBadFingerprint)
	}
	name, hexVal, ok := strings.Cut(strings.TrimSpace(v), " ")
	hexVal = strings.TrimSpace(hexVal)
	if !ok || name == "" || hexVal == "" {
		return Fingerprint{}, fmt.Errorf("%w: %q", ErrBadFingerprint, v)
	}
	parts := strings.Split(hexVal, ":")
	val := make([]byte, 0, len(parts))
	for _, p := range parts {
		if len(p) != 2 {
			return Fingerprint{}, fmt.Errorf("%w: %q", ErrBadFingerprint, v)
		}
		b, err := hex.DecodeString(p)
		if err != nil {
			return Fingerprint{}, fmt.Errorf("%w: %q", ErrBadFingerprint, v)
		}
		val = append(val, b[0])
	}
	f := Fingerprint{Hash: strings.ToLower(name), Value: val}
	if h, ok := hashes[f.Hash]; ok && len(val) != h().Size() {
		return Fingerprint{}, fmt.Errorf("%w: %d bytes for %s", ErrBadFingerprint, len(val), f.Hash)
	}
	return f, nil
}

// Supported reports whether f uses a hash function we accept.
func (f Fingerprint) Supported() bool {
	_, ok := hashes[f.Hash]
	return ok
}

// String renders the attribute value: the hash name and hex pairs, both upper case (RFC 8122
// section 5; ABNF names are case-insensitive, and linphone's bctoolbox matches only "SHA-256").
func (f Fingerprint) String() string {
	var b strings.Builder
	b.WriteString(strings.ToUpper(f.Hash))
	b.WriteByte(' ')
	for i, c := range f.Value {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// FingerprintOf is the sha-256 fingerprint of a DER certificate, the one we announce.
func FingerprintOf(der []byte) Fingerprint {
	sum := sha256.Sum256(der)
	return Fingerprint{Hash: "sha-256", Value: sum[:]}
}

// Matches reports whether der (the certificate presented in the handshake) has fingerprint f.
func (f Fingerprint) Matches(der []byte) (bool, error) {
	newHash, ok := hashes[f.Hash]
	if !ok {
		return false, fmt.Errorf("%w: %q", ErrUnsupportedHash, f.Hash)
	}
	h := newHash()
	h.Write(der)
	return subtle.ConstantTimeCompare(h.Sum(nil), f.Value) == 1, nil
}

// Setup is the a=setup attribute (RFC 4145 section 4, RFC 5763 section 5): who starts the
// DTLS handshake. Active is the DTLS client.
type Setup int

// Setup values; SetupNone means the attribute is absent.
const (
	SetupNone Setup = iota
	SetupActPass
	SetupActive
	SetupPassive
	SetupHoldConn
)

// String is the attribute value ("" for SetupNone).
func (s Setup) String() string {
	switch s {
	case SetupActPass:
		return "actpass"
	case SetupActive:
		return "active"
	case SetupPassive:
		return "passive"
	case SetupHoldConn:
		return "holdconn"
	}
	return ""
}

// ParseSetup parses an a=setup value; unknown values are SetupNone, false.
func ParseSetup(v string) (Setup, bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "actpass":
		return SetupActPass, true
	case "active":
		return SetupActive, true
	case "passive":
		return SetupPassive, true
	case "holdconn":
		return SetupHoldConn, true
	}
	return SetupNone, false
}

// attr returns the first value of a media-level attribute, else the session-level one (RFC 8122
// section 5 and RFC 4145 allow both levels; baresip writes them at session level).
func attrValues(s *Session, m *Media, key string) []string {
	var out []string
	for _, a := range m.Attrs {
		if strings.EqualFold(a.Key, key) {
			out = append(out, a.Value)
		}
	}
	if len(out) > 0 || s == nil {
		return out
	}
	for _, a := range s.Attrs {
		if strings.EqualFold(a.Key, key) {
			out = append(out, a.Value)
		}
	}
	return out
}

// Fingerprints returns m's certificate fingerprints (media level, else session level). Malformed
// attributes are skipped and counted in bad.
func (s *Session) Fingerprints(m *Media) (fps []Fingerprint, bad int) {
	for _, v := range attrValues(s, m, "fingerprint") {
		f, err := ParseFingerprint(v)
		if err != nil {
			bad++
			continue
		}
		fps = append(fps, f)
	}
	return fps, bad
}

// SetupOf returns m's a=setup (media level, else session level); SetupNone when absent or unknown.
func (s *Session) SetupOf(m *Media) Setup {
	for _, v := range attrValues(s, m, "setup") {
		if st, ok := ParseSetup(v); ok {
			return st
		}
	}
	return SetupNone
}

// IsDTLSProto reports whether p is one of the DTLS-SRTP transport protocols.
func IsDTLSProto(p string) bool { return p == ProtoDTLSSRTP || p == ProtoDTLSSRTPF }
