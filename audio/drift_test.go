package audio

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// simCard is a playback device whose clock runs slow by ppm: it drains its queue in periods of
// 10 ms of its own time.
type simCard struct {
	rate   int
	queued float64 // samples
	ppm    float64
}

func (c *simCard) Write(f []int16) error { c.queued += float64(len(f)); return nil }
func (c *simCard) PlaybackBacklog() (time.Duration, time.Duration) {
	return time.Duration(c.queued / float64(c.rate) * float64(time.Second)), 10 * time.Millisecond
}
func (c *simCard) drain(d time.Duration) {
	c.queued = max(0, c.queued-float64(c.rate)*d.Seconds()*(1-c.ppm/1e6))
}

// A card 3000 ppm slower than the media clock (far more than real crystals drift) is followed by
// playing frames a sample or two shorter: over ten simulated minutes no frame is skipped and the
// queue stays within the jitter target plus one period, where before one frame in ~6.7 s was
// dropped whole.
func TestDriftFollowedByTrimmingNotSkipping(t *testing.T) {
	for _, rate := range []int{RateNarrowband, RateWideband} {
		var m latencyMeter
		d := driftTrimmer{trimmed: &m.trimmed}
		card := &simCard{rate: rate, ppm: 3000}
		target := 20 * time.Millisecond
		frame := make([]int16, rate/50)
		for range 30000 { // 10 minutes of 20 ms ticks
			card.drain(20 * time.Millisecond)
			if m.beforeWrite(card, target) {
				require.NoError(t, card.Write(d.frame(card, frame, target, rate)))
			}
		}
		l := m.snapshot()
		assert.Zero(t, l.PlayoutSkipped, "rate %d: no frame skipped", rate)
		assert.Greater(t, l.PlayoutTrimmed, uint64(0), "rate %d: frames trimmed", rate)
		assert.LessOrEqual(t, l.PlayoutBacklogMax, target+10*time.Millisecond, "rate %d: queue bounded", rate)
		t.Logf("rate %d: %d of 30000 frames trimmed by %d samples, max backlog ahead of a frame %v", rate, l.PlayoutTrimmed, trimSamples(rate), l.PlayoutBacklogMax)
	}
}

// A sink that does not queue (a file, the demo's echo) always gets whole frames.
func TestDriftTrimmerLeavesPlainSinksAlone(t *testing.T) {
	var m latencyMeter
	d := driftTrimmer{trimmed: &m.trimmed}
	frame := make([]int16, 160)
	assert.Len(t, d.frame(&bufferSink{}, frame, 0, RateNarrowband), 160)
	assert.Len(t, d.frame(&fakeBuffered{backlog: time.Second}, frame, 0, RateNarrowband), 160, "not running (period 0)")
	assert.Len(t, d.frame(&fakeBuffered{backlog: 26 * time.Millisecond, period: 10 * time.Millisecond}, frame, 20*time.Millisecond, RateNarrowband), 159)
	assert.Len(t, d.frame(&fakeBuffered{backlog: 25 * time.Millisecond, period: 10 * time.Millisecond}, frame, 20*time.Millisecond, RateNarrowband), 160)
}

// shrink keeps the waveform: a ramp stays a ramp with the same ends.
func TestShrinkInterpolates(t *testing.T) {
	src := make([]int16, 160)
	for i := range src {
		src[i] = int16(i * 100)
	}
	out := shrink(nil, src, 158)
	require.Len(t, out, 158)
	assert.Equal(t, src[0], out[0])
	assert.Equal(t, src[159], out[157])
	for i := 1; i < len(out); i++ {
		step := int(out[i]) - int(out[i-1])
		assert.InDelta(t, 100*159.0/157.0, float64(step), 1.5, "sample %d", i)
	}
	assert.Equal(t, []int16{1, 3}, shrink(nil, []int16{1, 2, 3}, 2), "ends kept")
}
