package demo

// RFC 4733 telephone-events of the tests' independent SRTP peer.

const (
	dtmfPackets   = 5  // 5 × 20 ms = 100 ms tone per digit
	dtmfEndRepeat = 3  // the end packet is sent three times (RFC 4733 §2.5.1.4)
	dtmfGap       = 3  // 60 ms of audio between digits
	dtmfMaxQueue  = 64 // digits waiting at most
	dtmfVolume    = 10 // −10 dBm0
)

// dtmfEvent maps a DTMF digit to its RFC 4733 event code.
func dtmfEvent(r rune) (byte, bool) {
	switch {
	case r >= '0' && r <= '9':
		return byte(r - '0'), true
	case r == '*':
		return 10, true
	case r == '#':
		return 11, true
	case r >= 'A' && r <= 'D':
		return byte(12 + r - 'A'), true
	case r >= 'a' && r <= 'd':
		return byte(12 + r - 'a'), true
	}
	return 0, false
}

// dtmfPacket is one telephone-event packet to send.
type dtmfPacket struct {
	payload [4]byte
	ts      uint32
	marker  bool
}

// dtmfQueue turns queued digits into one packet per 20 ms tick. Its owner
// (stream) guards it with its mutex. The zero value is an empty queue.
type dtmfQueue struct {
	queue  []byte // event codes not started yet
	active bool   // a digit is being sent
	sent   int    // packets sent of the current digit
	event  byte
	ts     uint32 // RTP timestamp of the current digit's start
	gap    int    // ticks of audio left before the next digit
}

// add queues digits; all or none are accepted.
func (q *dtmfQueue) add(digits string) error {
	var evs []byte
	for _, r := range digits {
		ev, ok := dtmfEvent(r)
		if !ok {
			return ErrBadDTMF
		}
		evs = append(evs, ev)
	}
	if len(evs) == 0 || len(q.queue)+len(evs) > dtmfMaxQueue {
		return ErrBadDTMF
	}
	q.queue = append(q.queue, evs...)
	return nil
}

// next returns the packet for this tick (now is the current RTP timestamp),
// or false when this tick carries audio.
func (q *dtmfQueue) next(now uint32) (dtmfPacket, bool) {
	if q.gap > 0 {
		q.gap--
		return dtmfPacket{}, false
	}
	if !q.active {
		if len(q.queue) == 0 {
			return dtmfPacket{}, false
		}
		q.event, q.queue = q.queue[0], q.queue[1:]
		q.active, q.sent, q.ts = true, 0, now
	}
	dur := uint16(min(q.sent+1, dtmfPackets) * frameSamples)
	p := dtmfPacket{ts: q.ts, marker: q.sent == 0}
	p.payload[0] = q.event
	p.payload[1] = dtmfVolume
	if q.sent >= dtmfPackets-1 {
		p.payload[1] |= 0x80 // end of event
	}
	p.payload[2], p.payload[3] = byte(dur>>8), byte(dur)
	q.sent++
	if q.sent >= dtmfPackets+dtmfEndRepeat-1 {
		q.active, q.gap = false, dtmfGap
	}
	return p, true
}
