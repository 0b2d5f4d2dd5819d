package audio

// How a call is keyed, for the phone's call panel and its end reason.

// DTLSFailure returns the *DTLSError of a failed DTLS-SRTP handshake, nil otherwise. A far end
// that refuses our handshake often hangs up at once: the caller reports this, not the hangup.
func (s *Session) DTLSFailure() error {
	if s.dtls == nil {
		return nil
	}
	if e := s.dtls.failed.Load(); e != nil {
		return e
	}
	return nil
}

// Keying is how a call's SRTP keys were agreed.
type Keying int

// Key exchanges of a negotiated stream.
const (
	KeyingNone Keying = iota // plain RTP, or nothing negotiated
	KeyingSDES               // RFC 4568 a=crypto, over SIP-TLS
	KeyingDTLS               // RFC 5763/5764 DTLS-SRTP
)

// String is the name shown next to the suite: "SDES", "DTLS" or "".
func (k Keying) String() string {
	switch k {
	case KeyingSDES:
		return "SDES"
	case KeyingDTLS:
		return "DTLS"
	}
	return ""
}

// Keying reports how the negotiated stream is keyed and whether its keys are installed
// (DTLS-SRTP is negotiated before its handshake has finished: ready is false until then).
func (s *Session) Keying() (k Keying, ready bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dtls != nil && s.dtls.pending != nil {
		return KeyingDTLS, false
	}
	m := s.media.Load()
	switch {
	case m == nil:
		return KeyingNone, false
	case m.res.DTLS != nil:
		return KeyingDTLS, true
	case m.crypto != nil:
		return KeyingSDES, true
	}
	return KeyingNone, true
}
