package audio

import "errors"

// ErrDTLS is wrapped by every DTLS-SRTP failure (*DTLSError): the call's media could not be
// secured, and no audio was sent.
var ErrDTLS = errors.New("audio: DTLS-SRTP failed")

// DTLSProblem says why a DTLS-SRTP handshake failed.
type DTLSProblem int

// DTLS-SRTP problems.
const (
	// DTLSFailed is any other handshake failure (alert from the peer, broken records).
	DTLSFailed DTLSProblem = iota
	// DTLSFingerprintMismatch: the far end's certificate does not match the a=fingerprint of its
	// SDP, which came over TLS: someone on the media path may be intercepting the call.
	DTLSFingerprintMismatch
	// DTLSTimeout: the handshake did not finish in time (no DTLS from the far end).
	DTLSTimeout
	// DTLSNoProfile: no common SRTP protection profile (RFC 5764 use_srtp).
	DTLSNoProfile
)

// String names the problem.
func (p DTLSProblem) String() string {
	switch p {
	case DTLSFingerprintMismatch:
		return "fingerprint-mismatch"
	case DTLSTimeout:
		return "timeout"
	case DTLSNoProfile:
		return "no-srtp-profile"
	}
	return "failed"
}

// DTLSError is a failed DTLS-SRTP handshake. errors.Is(err, ErrDTLS) holds for it.
type DTLSError struct {
	Problem DTLSProblem
	Err     error // the handshake's error
}

// Error is written for the agent.
func (e *DTLSError) Error() string {
	msg := "secure media (DTLS-SRTP) failed"
	switch e.Problem {
	case DTLSFingerprintMismatch:
		msg = "secure media (DTLS-SRTP) refused: the far end's certificate does not match the fingerprint in its call setup; the call may be intercepted"
	case DTLSTimeout:
		msg = "secure media (DTLS-SRTP) failed: no handshake from the far end in time"
	case DTLSNoProfile:
		msg = "secure media (DTLS-SRTP) failed: no common SRTP protection profile"
	}
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

// Unwrap returns ErrDTLS and the handshake's error.
func (e *DTLSError) Unwrap() []error { return []error{ErrDTLS, e.Err} }
