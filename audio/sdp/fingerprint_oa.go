package sdp

import (
	"fmt"
	"strings"
)

// KeyExchange is how SRTP keys are agreed: SDES (RFC 4568, keys in the SDP, which travels only
// over TLS here), DTLS-SRTP (RFC 5763/5764, keys from a DTLS handshake on the media path,
// checked against the fingerprint in the SDP), or both offered.
type KeyExchange uint8

// Key exchanges. The zero value means SDES only (what a Local without a certificate can do).
const (
	KeyExchangeSDES KeyExchange = 1 << iota
	KeyExchangeDTLS
	KeyExchangeBoth = KeyExchangeSDES | KeyExchangeDTLS
)

// String names the key exchange as configured: "sdes", "dtls" or "both".
func (k KeyExchange) String() string {
	switch k.norm() {
	case KeyExchangeSDES:
		return "sdes"
	case KeyExchangeDTLS:
		return "dtls"
	case KeyExchangeBoth:
		return "both"
	}
	return "sdes"
}

// ParseKeyExchange parses "sdes", "dtls" or "both".
func ParseKeyExchange(v string) (KeyExchange, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "sdes":
		return KeyExchangeSDES, nil
	case "dtls":
		return KeyExchangeDTLS, nil
	case "both":
		return KeyExchangeBoth, nil
	}
	return 0, fmt.Errorf("key exchange %q: want sdes, dtls or both", v)
}

func (k KeyExchange) norm() KeyExchange {
	if k&KeyExchangeBoth == 0 {
		return KeyExchangeSDES
	}
	return k & KeyExchangeBoth
}

// SDES reports whether SDES keys may be used.
func (k KeyExchange) SDES() bool { return k.norm()&KeyExchangeSDES != 0 }

// DTLS reports whether DTLS-SRTP may be used.
func (k KeyExchange) DTLS() bool { return k.norm()&KeyExchangeDTLS != 0 }

// DTLSParams is the negotiated DTLS-SRTP keying: our role in the handshake and the
// fingerprints the peer's certificate must match.
type DTLSParams struct {
	Role   Setup // SetupActive (we are the DTLS client) or SetupPassive (server)
	Remote []Fingerprint
}

// dtlsLocal reports whether l can do DTLS-SRTP (allowed and a certificate fingerprint set).
func (l *Local) dtlsLocal() bool { return l.KeyExchange.DTLS() && len(l.Fingerprint.Value) > 0 }

// offerKeyExchange adds DTLS-SRTP to an offer's audio line. "dtls" uses UDP/TLS/RTP/SAVP with no
// a=crypto (RFC 5763 section 5); "both" keeps the SDES line's profile and its a=crypto lines and
// adds a=fingerprint and a=setup:actpass, so an SDES-only peer simply ignores the DTLS
// attributes (baresip's dtls_srtp module accepts RTP/SAVP with a fingerprint as well).
func (l *Local) offerKeyExchange(m *Media) error {
	if !l.KeyExchange.DTLS() {
		return nil
	}
	if !l.dtlsLocal() {
		return fmt.Errorf("%w: DTLS-SRTP without a certificate", ErrNoCrypto)
	}
	if !l.KeyExchange.SDES() {
		m.Proto, m.Crypto = ProtoDTLSSRTP, nil
	}
	setup := SetupActPass
	if l.DTLSRole != SetupNone {
		// A re-offer on a running association keeps our role, so the answer keeps it too and no
		// new handshake is needed (RFC 8842 section 5.5 allows either).
		setup = l.DTLSRole
	}
	m.Attrs = append(m.Attrs, Attr{Key: "fingerprint", Value: l.Fingerprint.String()}, Attr{Key: "setup", Value: setup.String()})
	return nil
}

// usableFingerprints keeps the fingerprints we can check.
func usableFingerprints(fps []Fingerprint) []Fingerprint {
	var out []Fingerprint
	for _, f := range fps {
		if f.Supported() {
			out = append(out, f)
		}
	}
	return out
}

// answerRole is our a=setup in an answer to an offer's a=setup (RFC 5763 section 5: the answerer
// SHOULD be active when offered actpass; RFC 4145: an absent attribute means active).
func answerRole(offered, established Setup) (Setup, error) {
	switch offered {
	case SetupActPass:
		if established != SetupNone {
			return established, nil
		}
		return SetupActive, nil
	case SetupActive, SetupNone:
		return SetupPassive, nil
	case SetupPassive:
		return SetupActive, nil
	}
	return SetupNone, fmt.Errorf("%w: a=setup:%s (no DTLS connection offered)", ErrNoCrypto, offered)
}

// answerDTLS decides the key exchange of an answer when DTLS-SRTP or the policy is involved.
// done means m and res are complete with DTLS-SRTP; an error refuses the offer; neither means
// the SDES rules apply.
func answerDTLS(offer *Session, om *Media, l *Local, m *Media, res *Result) (done bool, err error) {
	fps, bad := offer.Fingerprints(om)
	usable := usableFingerprints(fps)
	dtlsOffered := len(fps) > 0 || bad > 0 || IsDTLSProto(om.Proto)
	switch {
	case dtlsOffered && l.dtlsLocal():
		if len(usable) == 0 {
			return false, ErrNoFingerprint
		}
		role, err := answerRole(offer.SetupOf(om), l.DTLSRole)
		if err != nil {
			return false, err
		}
		m.Crypto = nil
		m.Attrs = append(m.Attrs, Attr{Key: "fingerprint", Value: l.Fingerprint.String()}, Attr{Key: "setup", Value: role.String()})
		res.DTLS = &DTLSParams{Role: role, Remote: usable}
		res.SRTP = nil
		return true, nil
	case IsDTLSProto(om.Proto):
		return false, fmt.Errorf("%w: the other side offers only DTLS-SRTP", ErrKeyExchangePolicy)
	case !l.KeyExchange.SDES() && len(om.Crypto) > 0:
		return false, fmt.Errorf("%w: the other side offers only SDES", ErrKeyExchangePolicy)
	case !l.KeyExchange.SDES() && l.RequireSRTP:
		return false, fmt.Errorf("%w: the other side offers no DTLS-SRTP", ErrKeyExchangePolicy)
	}
	return false, nil
}

// answerRoleFor is our role from the answer's a=setup to our actpass offer.
func answerRoleFor(answered Setup) (Setup, error) {
	switch answered {
	case SetupActive, SetupNone:
		return SetupPassive, nil
	case SetupPassive, SetupActPass: // actpass is not allowed in an answer; it can still accept
		return SetupActive, nil
	}
	return SetupNone, fmt.Errorf("%w: a=setup:%s in the answer", ErrNoCrypto, answered)
}

// applyDTLS reads DTLS-SRTP from an answer to our offer. done means res is complete with
// DTLS-SRTP; an error refuses the answer; neither means the SDES rules apply.
func applyDTLS(offer *Session, om *Media, answer *Session, am *Media, l *Local, res *Result) (done bool, err error) {
	ourFPs, _ := offer.Fingerprints(om)
	if len(ourFPs) == 0 {
		return false, nil // we offered SDES only
	}
	fps, bad := answer.Fingerprints(am)
	if len(fps) == 0 && bad == 0 {
		if !l.KeyExchange.SDES() || len(om.Crypto) == 0 {
			return false, fmt.Errorf("%w: the answer has no DTLS fingerprint", ErrKeyExchangePolicy)
		}
		return false, nil
	}
	usable := usableFingerprints(fps)
	if len(usable) == 0 {
		return false, ErrNoFingerprint
	}
	role, err := answerRoleFor(answer.SetupOf(am))
	if err != nil {
		return false, err
	}
	if l.DTLSRole != SetupNone && offer.SetupOf(om) != SetupActPass {
		role = l.DTLSRole // we re-offered with our fixed role
	}
	res.DTLS = &DTLSParams{Role: role, Remote: usable}
	res.SRTP = nil
	return true, nil
}
