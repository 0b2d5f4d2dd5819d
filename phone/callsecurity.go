package phone

import (
	"errors"
	"fmt"

	"softphone/audio"
	"softphone/audio/sdp"
	"softphone/config"
	"softphone/sip"
)

// KeyExchange is how a call's SRTP keys were agreed.
type KeyExchange int

// Key exchanges of a call.
const (
	KeyExchangeNone KeyExchange = iota // plain RTP, or not keyed yet
	KeyExchangeSDES                    // RFC 4568 a=crypto in the SDP (over SIP-TLS)
	KeyExchangeDTLS                    // RFC 5763/5764 DTLS-SRTP on the media path
)

// String is the short name shown next to the suite: "SDES", "DTLS" or "".
func (k KeyExchange) String() string {
	switch k {
	case KeyExchangeSDES:
		return "SDES"
	case KeyExchangeDTLS:
		return "DTLS"
	}
	return ""
}

// keyExchangeConfig is the media session's setting for media.key_exchange ("" is the default, both).
func keyExchangeConfig(m config.Media) sdp.KeyExchange {
	if m.KeyExchange == "" {
		return sdp.KeyExchangeBoth
	}
	k, err := sdp.ParseKeyExchange(m.KeyExchange)
	if err != nil {
		return sdp.KeyExchangeBoth // config.Validate refuses it before a call can start
	}
	return k
}

// noteSecurity copies the session's keying into i: at media start, and again when the DTLS
// handshake has installed its keys (then the codec is known too).
func noteSecurity(i *CallInfo, sess *audio.Session) {
	suite, _ := sess.Negotiated()
	k, ready := sess.Keying()
	i.SRTP, i.KeyExchange = suite, KeyExchangeNone
	if suite != "" {
		switch k {
		case audio.KeyingSDES:
			i.KeyExchange = KeyExchangeSDES
		case audio.KeyingDTLS:
			i.KeyExchange = KeyExchangeDTLS
		}
	}
	i.Securing = k == audio.KeyingDTLS && !ready
	if codec, rate := sess.Codec(); codec != "" {
		i.Codec, i.SampleRate = codec, rate
	}
}

// secured is the session's OnSecured: DTLS-SRTP keys are installed and audio flows.
func (c *call) secured() {
	c.a.mu.Lock()
	sess := c.sess
	c.a.mu.Unlock()
	if sess == nil {
		return
	}
	c.update(func(i *CallInfo) { noteSecurity(i, sess) })
}

// remoteEnded says why the far end ended the call. A far end whose DTLS-SRTP handshake we refused
// (its certificate did not match its SDP) hangs up at once: the agent is told the refusal.
func remoteEnded(dlg *sip.Dialog, sess *audio.Session) error {
	if err := sess.DTLSFailure(); err != nil {
		return fmt.Errorf("media failed: %w", err)
	}
	return errors.New(dlg.Reason())
}
