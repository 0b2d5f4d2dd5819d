package jitter

import (
	"slices"
	"time"
)

// slackWindow tracks how early packets arrived over the last second of playout, in frames: a
// packet's slack is how many pops it waited in the buffer (0 = it played at the first pop after
// it arrived, negative = it came too late). The minimum over the window says how much delay the
// buffer holds that no packet needed: a minimum of 1 means every packet of the last second would
// still have been in time with one frame less. It drives shrinking (drop a frame) and the
// choice, on an empty buffer, between waiting for a late packet and declaring it lost.
type slackWindow struct {
	ring    [slackPops]int // per pop: the smallest slack of the packets pushed before it
	pos     int
	filled  int // pops recorded, up to slackPops
	pending int // smallest slack since the last pop
}

// slackPops is the window: one second of 20 ms frames.
const slackPops = 50

// noSlack marks a pop without arrivals.
const noSlack = 1 << 30

func (w *slackWindow) reset() {
	*w = slackWindow{pending: noSlack}
}

// push records a packet's slack.
func (w *slackWindow) push(slack int) { w.pending = min(w.pending, slack) }

// pop closes one playout period.
func (w *slackWindow) pop() {
	w.ring[w.pos] = w.pending
	w.pos = (w.pos + 1) % slackPops
	w.filled = min(w.filled+1, slackPops)
	w.pending = noSlack
}

// min is the smallest slack over the window; ok is false before the window has a second of
// playout with arrivals in at least half of it.
func (w *slackWindow) min() (m int, ok bool) {
	if w.filled < slackPops {
		return 0, false
	}
	m, n := noSlack, 0
	for _, s := range w.ring {
		if s != noSlack {
			m = min(m, s)
			n++
		}
	}
	return m, n >= slackPops/2
}

// shift lowers every recorded slack by n frames: after a frame is dropped, each packet would
// have waited one pop less.
func (w *slackWindow) shift(n int) {
	for i, s := range w.ring {
		if s != noSlack {
			w.ring[i] = s - n
		}
	}
	if w.pending != noSlack {
		w.pending -= n
	}
}

// maxAdvance is how many empty pops in a row may be declared lost before the buffer waits
// (stalls) instead: a longer gap is a pause or a late burst, not a loss. Three covers the loss
// bursts of a bad Wi-Fi link.
const maxAdvance = 3

// shrinkEvery is the least number of pops between two frames dropped by the slack rule.
const shrinkEvery = 10

// quiet reports whether the measured jitter asks for no more than one frame of target (before
// the configured bounds: a buffer held at one frame by MaxDelay on a jittery line is not quiet).
func (b *Buffer) quiet() bool {
	j := time.Duration(b.jitter * float64(time.Second) / float64(b.cfg.ClockRate))
	return 3*j < b.cfg.Frame/2
}

// calmGuard is how much earlier than needed every packet of the last second must have come
// before a quiet line gives a frame back: pops count whole frames, and a packet that came a
// millisecond before its pop would be late after the drop at the next hiccup, costing a concealed
// frame and the frame back (on a busy machine, every few seconds).
const calmGuard = 5 * time.Millisecond

// spareWait reports whether each of the last packets played waited at least a frame (plus the
// lookahead's frames) and calmGuard more than a pop needs: after a frame is dropped each would
// still be calmGuard early.
func (b *Buffer) spareWait() bool {
	m, ok := b.waits.min()
	return ok && m >= time.Duration(1+b.lookahead)*b.cfg.Frame+calmGuard
}

// waitWindow is the waits (arrival → pop) of the last slackPops packets played.
type waitWindow struct {
	ring   [slackPops]time.Duration
	pos    int
	filled int
}

func (w *waitWindow) add(d time.Duration) {
	w.ring[w.pos] = d
	w.pos = (w.pos + 1) % slackPops
	w.filled = min(w.filled+1, slackPops)
}

// min is the shortest wait in the window; ok is false until it is full.
func (w *waitWindow) min() (time.Duration, bool) {
	if w.filled < slackPops {
		return 0, false
	}
	return slices.Min(w.ring[:]), true
}

// calmEvery is the least number of pops between two frames dropped at a one-frame target.
const calmEvery = 100

// slackNeed is the slack (in frames) every packet of the last second must have had before a
// frame is dropped: one frame to give up, two kept as margin against the next spike. With 2
// the delay at 10 % loss and 50 ms jitter is 15-20 ms lower but 0.2-0.5 points more is
// concealed (TestBadLine).
const slackNeed = 3

// shrinkLocked drops one frame to bring the delay down when the buffer holds more than it
// needs: either its depth stayed above target for half a second (a standing surplus after a
// burst at the start), or every packet of the last second arrived at least slackNeed frames
// before it played (jitter swings the depth around the target, so the first rule alone keeps
// about target plus the jitter span).
func (b *Buffer) shrinkLocked() {
	if b.depth() > b.target {
		b.over++
	} else {
		b.over = 0
	}
	b.sinceShrink++
	standing := time.Duration(b.over)*b.cfg.Frame >= shrinkAfter
	m, ok := b.slack.min()
	spare := ok && m >= slackNeed && b.sinceShrink >= shrinkEvery && b.depth() > b.cfg.MinDelay
	// At a one-frame target (no jitter to speak of) a stall — one late tick of a busy sender —
	// adds a frame that the rule above never gives back: every packet then waits a whole pop
	// more than it needs. Once each packet of the last second did, drop that frame (at most
	// every calmEvery pops, so a machine that hiccups often is not made to skip often).
	calm := ok && m >= 1+b.lookahead && b.quiet() && b.sinceShrink >= calmEvery && b.spareWait()
	if !standing && !spare && !calm {
		return
	}
	b.over, b.sinceShrink = 0, 0
	b.slack.shift(1)
	s := b.slotFor(b.next)
	if s.used && s.ext == b.next {
		s.used = false
		b.count--
		b.stats.Dropped++
	} else {
		b.stats.Lost++
	}
	b.next++
}

// rewind takes back the empty pops declared lost just before ext arrived: the packet was late
// (or the sender paused), not lost, so it plays now, a frame or more later, exactly as if the
// buffer had waited for it. The slack window records it as late, so the buffer waits next time.
func (b *Buffer) rewind(ext int64) bool {
	if b.count != 0 || b.advanced == 0 || b.next-ext > int64(b.advanced) {
		return false
	}
	b.advanced = 0
	b.slack.push(-1)
	return true
}
