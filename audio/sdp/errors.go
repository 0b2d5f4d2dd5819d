package sdp

import "errors"

// Sentinel errors returned by Parse and the offer/answer helpers.
var (
	// ErrMalformed reports SDP text that does not follow RFC 4566.
	ErrMalformed = errors.New("sdp: malformed session description")
	// ErrNoAudio reports an offer or answer without a usable m=audio line.
	ErrNoAudio = errors.New("sdp: no audio stream")
	// ErrNoCommonCodec reports that offer and answer share no audio codec.
	ErrNoCommonCodec = errors.New("sdp: no common audio codec")
	// ErrNoCrypto reports that SRTP is required but the peer offered or answered no usable a=crypto line.
	ErrNoCrypto = errors.New("sdp: no usable SRTP crypto attribute")
	// ErrCryptoMismatch reports an answer whose a=crypto does not match any line of our offer.
	ErrCryptoMismatch = errors.New("sdp: answer crypto does not match the offer")
	// ErrRejected reports an answer that rejected the audio stream (port 0).
	ErrRejected = errors.New("sdp: audio stream rejected")
	// ErrNoAddress reports an audio stream without a connection address.
	ErrNoAddress = errors.New("sdp: no connection address")
)
