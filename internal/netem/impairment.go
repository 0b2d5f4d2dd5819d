package netem

import (
	"math"
	"math/rand/v2"
	"time"
)

// Distribution is the shape of the random part of the delay (the jitter).
type Distribution int

const (
	// Uniform draws the extra delay uniformly from [0, Jitter).
	Uniform Distribution = iota
	// Normal draws the extra delay from a normal distribution with mean
	// Jitter/2 and standard deviation Jitter/4, clamped to [0, Jitter].
	Normal
)

// String names the distribution.
func (d Distribution) String() string {
	switch d {
	case Uniform:
		return "uniform"
	case Normal:
		return "normal"
	default:
		return "unknown"
	}
}

// GilbertElliott is the two-state bursty loss model. The channel is either
// good or bad; before each packet it moves good→bad with probability
// PGoodToBad and bad→good with PBadToGood, then drops the packet with the
// loss probability of its state. The zero value is off.
type GilbertElliott struct {
	PGoodToBad float64 // p: chance to enter the bad state, per packet
	PBadToGood float64 // r: chance to leave the bad state, per packet
	LossGood   float64 // loss probability while good (often 0)
	LossBad    float64 // loss probability while bad (often 1)
}

// Burst returns the simple Gilbert model (no loss while good, all lost while
// bad) with the given long-run loss rate and mean burst length in packets.
func Burst(loss, meanBurst float64) GilbertElliott {
	if loss <= 0 || meanBurst <= 0 {
		return GilbertElliott{}
	}
	if loss >= 1 {
		return GilbertElliott{PGoodToBad: 1, LossBad: 1}
	}
	if meanBurst < 1 {
		meanBurst = 1
	}
	r := 1 / meanBurst
	// Steady state: P(bad) = p/(p+r) = loss.
	p := loss * r / (1 - loss)
	return GilbertElliott{PGoodToBad: math.Min(p, 1), PBadToGood: r, LossBad: 1}
}

func (g GilbertElliott) enabled() bool {
	return g.PGoodToBad > 0 || g.LossGood > 0
}

// Impairment is what happens to the packets of one direction. The zero value
// forwards every packet at once.
type Impairment struct {
	// Loss is the probability of dropping a packet independently of all others.
	Loss float64
	// Burst adds bursty loss on top of Loss; zero value means off.
	Burst GilbertElliott
	// Delay is the fixed one-way delay added to every packet.
	Delay time.Duration
	// Jitter is the spread of the random extra delay (see Distribution).
	// Packets keep their own delay, so jitter larger than the packet interval
	// reorders packets, as on a real path.
	Jitter time.Duration
	// Distribution is the shape of the jitter; Uniform by default.
	Distribution Distribution
	// Reorder is the probability of holding a packet back by ReorderDelay
	// extra, so that the packets after it overtake it.
	Reorder float64
	// ReorderDelay is how long a reordered packet is held back; 40 ms (two
	// 20 ms audio frames) when zero.
	ReorderDelay time.Duration
	// Duplicate is the probability of delivering a packet twice.
	Duplicate float64
}

// defaultReorderDelay is two 20 ms audio frames.
const defaultReorderDelay = 40 * time.Millisecond

// fate is the decision for one packet.
type fate struct {
	drop      bool
	burstLoss bool
	delay     time.Duration
	dup       bool
}

// decider draws the fate of each packet of one direction.
type decider struct {
	rng *rand.Rand
	bad bool // Gilbert-Elliott state
}

func (d *decider) decide(imp Impairment) fate {
	var f fate
	// Draw every number every time so that a change of one knob does not shift
	// the random stream seen by the others.
	uLoss, uState, uBurst := d.rng.Float64(), d.rng.Float64(), d.rng.Float64()
	uJit, nJit := d.rng.Float64(), d.rng.NormFloat64()
	uReorder, uDup := d.rng.Float64(), d.rng.Float64()

	if g := imp.Burst; g.enabled() {
		if d.bad {
			d.bad = uState >= g.PBadToGood
		} else {
			d.bad = uState < g.PGoodToBad
		}
		p := g.LossGood
		if d.bad {
			p = g.LossBad
		}
		if uBurst < p {
			f.drop, f.burstLoss = true, true
			return f
		}
	}
	if uLoss < imp.Loss {
		f.drop = true
		return f
	}
	f.delay = imp.Delay + jitter(imp, uJit, nJit)
	if uReorder < imp.Reorder {
		extra := imp.ReorderDelay
		if extra <= 0 {
			extra = defaultReorderDelay
		}
		f.delay += extra
	}
	f.dup = uDup < imp.Duplicate
	return f
}

func jitter(imp Impairment, u, n float64) time.Duration {
	if imp.Jitter <= 0 {
		return 0
	}
	j := float64(imp.Jitter)
	switch imp.Distribution {
	case Normal:
		return time.Duration(math.Max(0, math.Min(j, j/2+n*j/4)))
	default:
		return time.Duration(u * j)
	}
}
