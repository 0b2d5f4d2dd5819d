package audio

import (
	"encoding/binary"
	"strings"
)

// RFC 4733 timing we send with.
const (
	dtmfToneSamples = 800 // 100 ms tone
	dtmfGapFrames   = 3   // 60 ms pause between digits
	dtmfEndRepeats  = 3   // the end packet is sent three times (RFC 4733 section 2.5.1.4)
	dtmfVolume      = 10  // -10 dBm0
)

// dtmfDigits maps RFC 4733 event codes 0-16 to runes.
const dtmfDigits = "0123456789*#ABCD!"

// dtmfEvent returns the RFC 4733 event code of a digit ('!' is flash), or -1.
func dtmfEvent(r rune) int {
	if r >= 'a' && r <= 'd' {
		r -= 'a' - 'A'
	}
	return strings.IndexRune(dtmfDigits, r)
}

// dtmfPayload builds the 4-byte telephone-event payload.
func dtmfPayload(dst []byte, event int, end bool, duration uint16) []byte {
	var b [4]byte
	b[0] = byte(event)
	b[1] = dtmfVolume
	if end {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], duration)
	return append(dst, b[:]...)
}

// dtmfSender produces the packets of queued digits, one per 20 ms tick. Only the tx goroutine
// uses it.
type dtmfSender struct {
	queue    []rune
	active   bool
	event    int
	ts       uint32 // RTP timestamp of the event start
	duration uint16
	ends     int // end packets sent
	gap      int // frames of pause left before the next digit
	first    bool
}

// dtmfPacket is one telephone-event packet to send.
type dtmfPacket struct {
	payload [4]byte
	ts      uint32
	marker  bool
}

// next returns the packet for this tick, if any; nowTS is the RTP timestamp of the current frame.
// ok is false when no event is playing (send audio instead).
func (d *dtmfSender) next(nowTS uint32) (p dtmfPacket, ok bool) {
	if !d.active {
		if d.gap > 0 {
			d.gap--
			return p, false
		}
		if len(d.queue) == 0 {
			return p, false
		}
		d.event = dtmfEvent(d.queue[0])
		d.queue = d.queue[1:]
		d.active, d.ts, d.duration, d.ends, d.first = true, nowTS, 0, 0, true
	}
	p.ts = d.ts
	if d.duration < dtmfToneSamples {
		d.duration += FrameSamples
	}
	end := d.duration >= dtmfToneSamples
	if end {
		d.ends++
	}
	dtmfPayload(p.payload[:0], d.event, end, d.duration)
	p.marker = d.first // RFC 4733 section 2.5.1.3: marker on the first packet of an event
	d.first = false
	if d.ends >= dtmfEndRepeats {
		d.active = false
		d.gap = dtmfGapFrames
	}
	return p, true
}

// busy reports whether digits are playing or queued.
func (d *dtmfSender) busy() bool { return d.active || len(d.queue) > 0 || d.gap > 0 }

// dtmfReceiver turns received telephone-event packets into digits, each reported once although
// every event arrives in several packets and its end packet three times.
type dtmfReceiver struct {
	seen [8]uint32 // timestamps of recent events
	n    int
	any  bool
}

// handle returns the digit of a new event; ok is false for updates and retransmissions.
func (r *dtmfReceiver) handle(ts uint32, payload []byte) (digit rune, ok bool) {
	if len(payload) < 4 {
		return 0, false
	}
	ev := int(payload[0])
	if ev >= len(dtmfDigits) {
		return 0, false // not a DTMF event (RFC 4733 has others); ignore
	}
	if r.any {
		for _, s := range r.seen {
			if s == ts {
				return 0, false
			}
		}
	}
	r.seen[r.n%len(r.seen)] = ts
	if !r.any {
		for i := range r.seen {
			r.seen[i] = ts
		}
	}
	r.n++
	r.any = true
	return rune(dtmfDigits[ev]), true
}
