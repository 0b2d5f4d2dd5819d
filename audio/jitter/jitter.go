// Package jitter is an adaptive jitter buffer for one RTP stream: it reorders packets, drops
// duplicates and late packets, detects loss, copes with sequence-number and timestamp wrap-around,
// and sets its playout delay from the measured interarrival jitter (RFC 3550 section 6.4.1).
// It is pure: callers pass the arrival and playout times. It is not safe for concurrent use.
package jitter

import (
	"time"
)

// Config tunes a Buffer. Zero fields take the defaults shown.
type Config struct {
	ClockRate int           // RTP clock rate; 8000
	Frame     time.Duration // duration of one packet; 20 ms
	MinDelay  time.Duration // lowest target playout delay; 20 ms
	MaxDelay  time.Duration // highest target playout delay; 200 ms
	Capacity  int           // packets held at most; 64
}

func (c *Config) defaults() {
	if c.ClockRate <= 0 {
		c.ClockRate = 8000
	}
	if c.Frame <= 0 {
		c.Frame = 20 * time.Millisecond
	}
	if c.MinDelay <= 0 {
		c.MinDelay = c.Frame
	}
	if c.MaxDelay < c.MinDelay {
		c.MaxDelay = 200 * time.Millisecond
		if c.MaxDelay < c.MinDelay {
			c.MaxDelay = c.MinDelay
		}
	}
	if c.Capacity <= 0 {
		c.Capacity = 64
	}
}

// Packet is one received RTP packet's payload and ordering data.
type Packet struct {
	Seq         uint16
	PayloadType uint8 // carried through to the Frame
	Timestamp   uint32
	Payload     []byte // copied by Push
}

// PushResult says what Push did with a packet.
type PushResult int

// Push results.
const (
	Accepted  PushResult = iota
	Duplicate            // already buffered or already played
	Late                 // its playout time has passed
	Restarted            // a sequence jump: the buffer was reset and restarted with this packet
)

// String names the result.
func (r PushResult) String() string {
	switch r {
	case Accepted:
		return "accepted"
	case Duplicate:
		return "duplicate"
	case Late:
		return "late"
	case Restarted:
		return "restarted"
	}
	return "unknown"
}

// FrameKind says what Pop returned.
type FrameKind int

// Frame kinds.
const (
	// FrameNone means nothing to play: the buffer is filling or the stream is idle. Play silence.
	FrameNone FrameKind = iota
	// FrameAudio carries a packet payload.
	FrameAudio
	// FrameLost means the packet due now is missing: conceal it.
	FrameLost
)

// String names the kind.
func (k FrameKind) String() string {
	switch k {
	case FrameNone:
		return "none"
	case FrameAudio:
		return "audio"
	case FrameLost:
		return "lost"
	}
	return "unknown"
}

// Frame is one playout slot.
type Frame struct {
	Kind        FrameKind
	PayloadType uint8
	Seq         uint16
	Timestamp   uint32
	// Payload is valid until the next call on the Buffer.
	Payload []byte
}

// Stats are the buffer's counters.
type Stats struct {
	Pushed     uint64 // packets accepted
	Duplicates uint64
	Late       uint64 // arrived after their playout time
	Lost       uint64 // never arrived in time (gaps played as concealment)
	Concealed  uint64 // frames Pop returned as FrameLost
	Dropped    uint64 // discarded to shrink the delay
	Underruns  uint64 // times the buffer ran dry while playing
	Restarts   uint64
	Jitter     time.Duration // RFC 3550 interarrival jitter estimate
	Target     time.Duration // current target playout delay
	Depth      time.Duration // audio buffered now
}

// shrinkAfter is how long the buffer must stay above target before it drops a frame.
const shrinkAfter = 500 * time.Millisecond

// maxMisorder is how far behind the playout point a packet may be before we take it for a restarted
// stream rather than a late packet (RFC 3550 appendix A.1 uses 100 for MAX_MISORDER).
const maxMisorder = 100

// maxDropout is how far ahead a packet may jump before we take it for a restarted stream.
const maxDropout = 3000

type slot struct {
	used    bool
	pt      uint8
	ext     int64
	ts      uint32
	arrived time.Time
	payload []byte
}

// Buffer is an adaptive jitter buffer. Use New.
type Buffer struct {
	cfg   Config
	slots []slot

	started     bool // a first packet fixed the sequence reference
	playing     bool // playout has begun (else filling)
	next        int64
	highest     int64
	count       int
	bufferStart time.Time // arrival of the first packet while filling

	epoch        time.Time
	lastArrival  int64 // in clock units since epoch
	lastTS       uint32
	haveTransit  bool
	jitter       float64 // clock units, RFC 3550 J
	stall        int     // consecutive empty pops while playing
	over         int     // consecutive pops with the buffer above target
	target       time.Duration
	stats        Stats
	lastPlayedTS uint32
	wait         time.Duration // how long the last packet played waited here (arrival → pop)
	lookahead    int           // packets kept ahead of the playout point on a quiet line (SetLookahead)
	waits        waitWindow    // the waits of the last packets played (slack.go)

	slack       slackWindow // how early packets came over the last second (slack.go)
	sinceShrink int         // pops since the last frame dropped to shrink
	advanced    int         // consecutive empty pops declared lost instead of waiting
}

// New returns an empty buffer.
func New(cfg Config) *Buffer {
	cfg.defaults()
	b := &Buffer{cfg: cfg, slots: make([]slot, cfg.Capacity), target: cfg.MinDelay}
	b.slack.reset()
	return b
}

// Reset empties the buffer and forgets the stream (new SSRC). Counters are kept.
func (b *Buffer) Reset() {
	for i := range b.slots {
		b.slots[i].used = false
	}
	b.started, b.playing, b.count, b.stall, b.over = false, false, 0, 0, 0
	b.haveTransit = false
	b.slack.reset()
	b.sinceShrink, b.advanced = 0, 0
	b.waits = waitWindow{}
}

func (b *Buffer) slotFor(ext int64) *slot {
	return &b.slots[int(ext%int64(len(b.slots)))]
}

func (b *Buffer) clockUnits(t time.Time) int64 {
	if b.epoch.IsZero() {
		b.epoch = t
	}
	return int64(t.Sub(b.epoch)) * int64(b.cfg.ClockRate) / int64(time.Second)
}

// updateJitter applies RFC 3550 section 6.4.1: J += (|D| - J)/16.
func (b *Buffer) updateJitter(ts uint32, arrival time.Time) {
	at := b.clockUnits(arrival)
	if b.haveTransit {
		d := (at - b.lastArrival) - int64(int32(ts-b.lastTS))
		if d < 0 {
			d = -d
		}
		// A jump far beyond any plausible jitter is a timestamp discontinuity (new talk spurt
		// base, sender restart), not network jitter: skip it instead of inflating the delay.
		if time.Duration(d)*time.Second/time.Duration(b.cfg.ClockRate) <= 2*b.cfg.MaxDelay {
			b.jitter += (float64(d) - b.jitter) / 16
		}
	}
	b.lastArrival, b.lastTS, b.haveTransit = at, ts, true
	b.retarget()
}

func (b *Buffer) retarget() {
	j := time.Duration(b.jitter * float64(time.Second) / float64(b.cfg.ClockRate))
	t := b.cfg.Frame + 3*j
	// Round to the nearest whole frame (playout works in frames). Rounding up made the target
	// two frames at any jitter at all, a frame of delay for a millisecond of jitter.
	t = (t + b.cfg.Frame/2) / b.cfg.Frame * b.cfg.Frame
	b.target = min(max(t, b.cfg.MinDelay), b.cfg.MaxDelay)
}

func (b *Buffer) restart(p Packet, arrival time.Time) {
	b.Reset()
	b.stats.Restarts++
	b.insertFirst(p, arrival)
}

func (b *Buffer) insertFirst(p Packet, arrival time.Time) {
	ext := int64(p.Seq) + 1<<32 // keep unwrapped numbers positive
	b.started, b.next, b.highest = true, ext, ext
	b.bufferStart = arrival
	b.store(ext, p, arrival)
}

func (b *Buffer) store(ext int64, p Packet, arrival time.Time) {
	s := b.slotFor(ext)
	s.used, s.ext, s.ts, s.pt, s.arrived = true, ext, p.Timestamp, p.PayloadType, arrival
	s.payload = append(s.payload[:0], p.Payload...)
	b.count++
	b.stats.Pushed++
}

// Push adds a packet that arrived at arrival.
func (b *Buffer) Push(p Packet, arrival time.Time) PushResult {
	if !b.started {
		b.updateJitter(p.Timestamp, arrival)
		b.insertFirst(p, arrival)
		return Accepted
	}
	ext := b.highest + int64(int16(p.Seq-uint16(b.highest)))
	switch {
	case ext > b.highest+maxDropout || ext < b.next-maxMisorder || ext >= b.next+int64(len(b.slots)):
		b.haveTransit = false
		b.updateJitter(p.Timestamp, arrival)
		b.restart(p, arrival)
		return Restarted
	case ext < b.next:
		if b.playing && !b.rewind(ext) {
			b.updateJitter(p.Timestamp, arrival)
			b.slack.push(int(ext - b.next))
			b.stats.Late++
			return Late
		}
		// Still filling (or rewound): an earlier packet arrived out of order; start from it
		// if it fits.
		if b.highest-ext >= int64(len(b.slots)) {
			b.stats.Late++
			return Late
		}
		b.next = ext
	}
	s := b.slotFor(ext)
	if s.used && s.ext == ext {
		b.stats.Duplicates++
		return Duplicate
	}
	b.updateJitter(p.Timestamp, arrival)
	if b.count == 0 && !b.playing {
		b.bufferStart = arrival
	}
	b.store(ext, p, arrival)
	if ext > b.highest {
		b.highest = ext
	}
	if b.playing {
		b.slack.push(int(ext - b.next))
	}
	return Accepted
}

// depth is the buffered span from the playout point to the newest packet.
func (b *Buffer) depth() time.Duration {
	if b.count == 0 {
		return 0
	}
	return time.Duration(b.highest-b.next+1) * b.cfg.Frame
}

// Pop returns the frame to play at now. Call it once per frame period.
func (b *Buffer) Pop(now time.Time) Frame {
	if !b.playing {
		if b.count == 0 {
			return Frame{Kind: FrameNone}
		}
		// Start once the first packet has waited the target: while the jitter is still unknown
		// that is a frame of margin more than a clean line needs, which the buffer gives back
		// after a calm second (shrinkLocked), so a clean line then plays each packet at the
		// first pop after it arrived.
		if now.Sub(b.bufferStart) < b.target && b.depth() <= b.target {
			return Frame{Kind: FrameNone}
		}
		b.playing, b.stall, b.over = true, 0, 0
		b.skipTo(b.lowest()) // after an outage, play on from what is here, not from where it stopped
	}
	b.slack.pop()
	s := b.slotFor(b.next)
	if s.used && s.ext == b.next {
		f := b.take(s, now)
		b.shrinkLocked()
		return f
	}
	if b.count > 0 && b.stall > 0 && b.lookahead == 0 {
		// The timeline stood still while nothing came: the frames missing before the first
		// packet that is here were due during the stall, so skip them (as many as we stalled)
		// rather than conceal each now and keep the stall's delay for good. With a lookahead
		// (Opus FEC) the stall's frame of delay is what the codec needs: it is kept, and the
		// missing frame is declared lost below with the packet after it here to rebuild it
		// from (skipping would lose every frame blind when packets come just after the pop
		// that is due, a steady clock phase between the two ends).
		from := b.next
		b.skipTo(min(b.lowest(), b.next+int64(b.stall)))
		b.slack.shift(int(b.next - from)) // the packets here waited that much less
		if s := b.slotFor(b.next); s.used && s.ext == b.next {
			return b.take(s, now)
		}
	}
	if b.count > 0 {
		// A later packet is here, so this one is lost (or so late it no longer matters).
		f := Frame{Kind: FrameLost, Seq: uint16(b.next), Timestamp: b.lastPlayedTS + uint32(b.frameUnits())}
		b.lastPlayedTS = f.Timestamp
		b.next++
		b.stall, b.advanced = 0, 0
		b.stats.Lost++
		b.stats.Concealed++
		return f
	}
	if m, ok := b.slack.min(); ok && m >= 0 && b.advanced < maxAdvance && b.stall == 0 {
		if b.lookahead > 0 && b.advanced == 0 {
			// The codec rebuilds a lost frame from the next packet (Opus FEC), which is not
			// here: the buffer runs without the lookahead's frame (it gave its margin back
			// before the lookahead was set, or the clocks' phase left none). Wait one pop for
			// the next packet instead of concealing blind; the frame of delay this adds is the
			// lookahead, which the calm rule then keeps.
			b.stats.Concealed++
			return Frame{Kind: FrameLost, Seq: uint16(b.next), Timestamp: b.lastPlayedTS}
		}
		// Empty, but no packet of the last second came late: this one is more likely lost
		// than late. Conceal it and keep the timeline, rather than adding a frame of delay
		// for every loss burst that empties the buffer.
		f := Frame{Kind: FrameLost, Seq: uint16(b.next), Timestamp: b.lastPlayedTS + uint32(b.frameUnits())}
		b.lastPlayedTS = f.Timestamp
		b.next++
		b.advanced++
		b.stats.Lost++
		b.stats.Concealed++
		return f
	}
	// Empty: stall (conceal without advancing), so a merely late packet can still play; that
	// grows the delay by a frame. After MaxDelay of nothing the stream is idle: refill.
	b.stall++
	if b.stall == 1 {
		b.stats.Underruns++
	}
	if time.Duration(b.stall)*b.cfg.Frame > b.cfg.MaxDelay {
		b.playing = false
		return Frame{Kind: FrameNone}
	}
	b.stats.Concealed++
	return Frame{Kind: FrameLost, Seq: uint16(b.next), Timestamp: b.lastPlayedTS}
}

// lowest is the sequence number of the oldest buffered packet (b.next when none).
func (b *Buffer) lowest() int64 {
	low := int64(-1)
	for i := range b.slots {
		if s := &b.slots[i]; s.used && s.ext >= b.next && (low < 0 || s.ext < low) {
			low = s.ext
		}
	}
	if low < 0 {
		return b.next
	}
	return low
}

// skipTo moves the playout point forward to ext, counting the frames passed over as lost.
func (b *Buffer) skipTo(ext int64) {
	if ext <= b.next {
		return
	}
	n := ext - b.next
	b.stats.Lost += uint64(n)
	b.lastPlayedTS += uint32(n * b.frameUnits())
	b.next = ext
}

func (b *Buffer) frameUnits() int64 {
	return int64(b.cfg.Frame) * int64(b.cfg.ClockRate) / int64(time.Second)
}

func (b *Buffer) take(s *slot, now time.Time) Frame {
	s.used = false
	b.wait = max(now.Sub(s.arrived), 0)
	b.waits.add(b.wait)
	b.count--
	b.next++
	b.stall, b.advanced = 0, 0
	b.lastPlayedTS = s.ts
	return Frame{Kind: FrameAudio, PayloadType: s.pt, Seq: uint16(s.ext), Timestamp: s.ts, Payload: s.payload}
}

// Depth is the audio buffered now, from the playout point to the newest packet.
func (b *Buffer) Depth() time.Duration { return b.depth() }

// Wait is how long the last packet played waited in the buffer, from its arrival to the pop
// that played it: the delay the buffer added to it.
func (b *Buffer) Wait() time.Duration { return b.wait }

// TargetDelay is the current target playout delay.
func (b *Buffer) TargetDelay() time.Duration { return b.target }

// Stats returns the counters.
func (b *Buffer) Stats() Stats {
	s := b.stats
	s.Jitter = time.Duration(b.jitter * float64(time.Second) / float64(b.cfg.ClockRate))
	s.Target = b.target
	s.Depth = b.depth()
	return s
}
