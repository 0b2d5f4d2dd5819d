package jitter

import (
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"softphone/internal/netem"
)

// arrival is one packet reaching the buffer.
type arrival struct {
	at  time.Time
	seq uint16
	ts  uint32
}

// simResult is what a simulated call through an impaired path did.
type simResult struct {
	sent, netLost  int
	audio, lost    int // frames popped as audio and as concealment while playing
	late           uint64
	meanTarget     time.Duration
	maxTarget      time.Duration
	targetAfterEnd time.Duration // target once the path went clean again
	depthAfterEnd  time.Duration
	meanDelay      time.Duration // send to playout, of the frames played
	delayAfterEnd  time.Duration // send to playout of the last frame
}

func (r simResult) concealedShare() float64 { return float64(r.lost) / float64(max(r.audio+r.lost, 1)) }

// simulate sends seconds of 20 ms packets through the impairment, then cleanSeconds more over a
// clean path, into a buffer popped every 20 ms.
func simulate(cfg Config, imp netem.Impairment, seconds, cleanSeconds int) simResult {
	model := netem.NewModel(1, netem.ToUpstream, imp)
	var arr []arrival
	var r simResult
	n := (seconds + cleanSeconds) * 50
	for i := range n {
		if i == seconds*50 {
			model.SetImpairment(netem.Impairment{})
		}
		sent := t0.Add(time.Duration(i) * frame)
		f := model.Next()
		r.sent++
		if f.Drop {
			if i < seconds*50 {
				r.netLost++
			}
			continue
		}
		a := arrival{at: sent.Add(f.Delay), seq: uint16(i), ts: uint32(i) * 160}
		arr = append(arr, a)
		if f.Duplicate {
			arr = append(arr, a)
		}
	}
	sort.SliceStable(arr, func(i, j int) bool { return arr[i].at.Before(arr[j].at) })
	b := New(cfg)
	var sum, delaySum time.Duration
	pops := 0
	for k := 0; k < n+20; k++ {
		now := t0.Add(time.Duration(k)*frame + 5*time.Millisecond)
		for len(arr) > 0 && !arr[0].at.After(now) {
			b.Push(pkt(arr[0].seq, arr[0].ts), arr[0].at)
			arr = arr[1:]
		}
		f := b.Pop(now)
		if k == n-1 {
			r.targetAfterEnd, r.depthAfterEnd = b.TargetDelay(), b.Depth()
			if f.Kind == FrameAudio {
				r.delayAfterEnd = now.Sub(t0.Add(time.Duration(f.Seq) * frame))
			}
		}
		if k >= n {
			continue
		}
		if k < seconds*50 {
			switch f.Kind {
			case FrameAudio:
				r.audio++
				delaySum += now.Sub(t0.Add(time.Duration(f.Seq) * frame))
			case FrameLost:
				r.lost++
			}
			sum += b.TargetDelay()
			pops++
			r.maxTarget = max(r.maxTarget, b.TargetDelay())
		}
	}
	r.late = b.Stats().Late
	r.meanDelay = delaySum / time.Duration(max(r.audio, 1))
	r.meanTarget = sum / time.Duration(max(pops, 1))
	return r
}

// Issue 15 §5: the buffer holds up at 5 % and 10 % loss with 50 ms of jitter and reordering. It
// conceals little more than the network lost (late packets are few), grows its target with the
// jitter, and comes back down once the path is clean again.
func TestBadLine(t *testing.T) {
	const jit = 50 * time.Millisecond
	for _, tc := range []struct {
		name string
		imp  netem.Impairment
	}{
		{"clean", netem.Impairment{}},
		{"5% loss", netem.Impairment{Loss: 0.05}},
		{"jitter 50ms uniform", netem.Impairment{Jitter: jit}},
		{"jitter 50ms normal", netem.Impairment{Jitter: jit, Distribution: netem.Normal}},
		{"5% loss, 50ms jitter, reorder", netem.Impairment{Loss: 0.05, Jitter: jit, Reorder: 0.02}},
		{"10% loss, 50ms jitter, reorder", netem.Impairment{Loss: 0.10, Jitter: jit, Reorder: 0.02}},
		{"10% bursty, 50ms jitter, reorder", netem.Impairment{Burst: netem.Burst(0.10, 3), Jitter: jit, Reorder: 0.02}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := simulate(Config{}, tc.imp, 60, 10)
			netLoss := float64(r.netLost) / float64(60*50)
			t.Logf("%-34s net loss %5.2f%%  concealed %5.2f%%  late %3d  delay %3d ms  target mean %3d ms max %3d ms  after clean: target %d ms depth %d ms delay %d ms",
				tc.name, 100*netLoss, 100*r.concealedShare(), r.late, r.meanDelay.Milliseconds(), r.meanTarget.Milliseconds(),
				r.maxTarget.Milliseconds(), r.targetAfterEnd.Milliseconds(), r.depthAfterEnd.Milliseconds(), r.delayAfterEnd.Milliseconds())
			// Late packets (jitter beyond the target) add at most 1.5 points over the network loss.
			assert.InDelta(t, netLoss, r.concealedShare(), 0.015, "concealed share vs network loss")
			if tc.imp.Jitter > 0 {
				assert.GreaterOrEqual(t, r.meanTarget, 60*time.Millisecond, "the target grows with the jitter")
			} else {
				assert.Equal(t, frame, r.maxTarget, "no jitter: one frame of target")
			}
			assert.LessOrEqual(t, r.targetAfterEnd, 2*frame, "the target shrinks back on a clean path")
			assert.LessOrEqual(t, r.depthAfterEnd, 2*frame, "and so does the depth")
			assert.LessOrEqual(t, r.delayAfterEnd, 2*frame+5*time.Millisecond, "and the delay")
		})
	}
}

// A fixed target, as a reference: with the same 50 ms of jitter a one-frame buffer conceals
// every late packet; a fixed target set by hand for this path (60 ms) is the oracle the adaptive
// buffer should come close to without being told the jitter.
func TestBadLineFixedTargetReference(t *testing.T) {
	imp := netem.Impairment{Loss: 0.05, Jitter: 50 * time.Millisecond, Reorder: 0.02}
	adaptive := simulate(Config{}, imp, 60, 0)
	best := 1.0
	for _, fixed := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 60 * time.Millisecond, 100 * time.Millisecond} {
		r := simulate(Config{MinDelay: fixed, MaxDelay: fixed}, imp, 60, 0)
		best = min(best, r.concealedShare())
		t.Logf("fixed %3d ms: concealed %5.2f%%  late %3d  delay %3d ms | adaptive: concealed %5.2f%%  late %d  delay %3d ms",
			fixed.Milliseconds(), 100*r.concealedShare(), r.late, r.meanDelay.Milliseconds(),
			100*adaptive.concealedShare(), adaptive.late, adaptive.meanDelay.Milliseconds())
	}
	assert.InDelta(t, best, adaptive.concealedShare(), 0.01, "adaptive within a point of the best fixed target")
}
