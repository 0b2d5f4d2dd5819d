package jitter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// After a burst (a stalled sender or network catching up), the buffer works its depth back down
// to the target, half a second per surplus frame, at zero jitter afterwards, and
// then stays there: the playout backlog never stays above the target plus a frame.
func TestBurstDrainsToTarget(t *testing.T) {
	b := New(Config{})
	seq, ts := uint16(1000), uint32(0)
	now := t0
	push := func() {
		b.Push(pkt(seq, ts), now)
		seq++
		ts += 160
	}
	for range 6 { // six frames arrive at once
		push()
	}
	var depthAfter []time.Duration
	for i := range 3000 { // one minute of frames
		now = now.Add(frame)
		push()
		b.Pop(now)
		if i > 150 { // 3 s: half a second per surplus frame
			depthAfter = append(depthAfter, b.Depth())
		}
	}
	for _, d := range depthAfter {
		if !assert.LessOrEqual(t, d, b.TargetDelay()) {
			break
		}
	}
	assert.Equal(t, frame, b.TargetDelay(), "zero jitter: one frame of target")
	assert.Positive(t, b.Stats().Dropped)
}
