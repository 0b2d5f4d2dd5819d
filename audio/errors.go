package audio

import "errors"

// Sentinel errors of the media session.
var (
	// ErrSRTPRequired means SRTP is required but the offer or answer carries no usable a=crypto
	// line. The caller answers 488 Not Acceptable Here or ends the call with this reason.
	ErrSRTPRequired = errors.New("audio: the other side does not offer encrypted media (SRTP)")
	// ErrClosed is returned by calls on a closed Session.
	ErrClosed = errors.New("audio: session closed")
	// ErrNoOffer means SetAnswer was called without an outstanding Offer or SetHold.
	ErrNoOffer = errors.New("audio: no offer outstanding")
	// ErrNotNegotiated means the call needs a completed offer/answer first.
	ErrNotNegotiated = errors.New("audio: media not negotiated yet")
	// ErrRunning means Run was called a second time.
	ErrRunning = errors.New("audio: session already running")
	// ErrNoDTMF means the other side did not negotiate telephone-event (RFC 4733); use SIP INFO.
	ErrNoDTMF = errors.New("audio: the other side does not accept RFC 4733 DTMF")
	// ErrInvalidDigit reports a DTMF digit outside 0-9 * # A-D.
	ErrInvalidDigit = errors.New("audio: invalid DTMF digit")
	// ErrNoPorts means no free pair of UDP ports could be bound.
	ErrNoPorts = errors.New("audio: no free RTP/RTCP port pair")
	// ErrIncompatible means offer and answer share no codec or have no audio stream.
	ErrIncompatible = errors.New("audio: no compatible audio stream")
	// ErrBadConfig reports an unusable Config.
	ErrBadConfig = errors.New("audio: invalid configuration")
)
