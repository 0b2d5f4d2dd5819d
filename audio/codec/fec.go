package codec

import (
	"strings"

	"github.com/thesyncim/gopus"
)

// FECSender is a codec whose encoder can add in-band FEC (Opus LBRR, RFC 6716 section 2.1.7).
type FECSender interface {
	// SetFEC turns the in-band FEC of the encoder on or off.
	SetFEC(on bool)
}

// FECCarrier is a codec that can tell whether a packet carries in-band FEC for the packet
// before it, so that a lost frame is rebuilt from it rather than concealed.
type FECCarrier interface {
	// HasFEC reports whether payload carries FEC data for the previous frame.
	HasFEC(payload []byte) bool
}

// PeerTakesFEC reports whether an Opus a=fmtp line says the decoder on the other side uses
// in-band FEC. RFC 7587 section 6.1: useinbandfec=1 says so; when absent it is 0, and the
// encoder should not spend bits on FEC the peer ignores.
func PeerTakesFEC(fmtp string) bool {
	for _, p := range strings.Split(fmtp, ";") {
		k, v, ok := strings.Cut(p, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "useinbandfec") {
			return strings.TrimSpace(v) == "1"
		}
	}
	return false
}

// SetFEC implements FECSender. It is safe while another goroutine encodes:
// the setting takes effect at the next Encode.
func (c *Opus) SetFEC(on bool) {
	if on {
		c.fecWant.Store(fecOn)
	} else {
		c.fecWant.Store(fecOff)
	}
}

// HasFEC implements FECCarrier: SILK and hybrid packets carry LBRR data when the encoder ran
// with FEC on and the frame was active speech; CELT-only packets never do.
func (*Opus) HasFEC(payload []byte) bool {
	return len(payload) > 0 && gopus.PacketHasLBRR(payload)
}
