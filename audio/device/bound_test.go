//go:build cgo

package device

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The playback backlog stays bounded by the consumer (the callback) whatever the producer does:
// a burst after a stall, or a media clock that runs faster than the device clock for ten
// minutes. Before the bound the ring filled to 4096 samples (512 ms) and stayed there.
func TestPlaybackBacklogBounded(t *testing.T) {
	d := newDevice(nil)
	const period = 80 // 10 ms device period
	out := make([]byte, 2*period)
	frame := make([]int16, FrameSamples)
	maxAfter := 0
	// Ten simulated minutes: the media clock writes 20 ms frames 0.5 % faster than the device
	// plays them, with a 200 ms burst every minute (a stalled tick catching up).
	written := 0
	for ms := 0; ms < 10*60*1000; ms += 10 {
		for float64(written) < float64(ms+10)*8*1.005 {
			d.Write(frame)
			written += FrameSamples
		}
		if ms%60000 == 0 {
			for range 10 {
				d.Write(frame)
			}
		}
		d.onData(out, nil, period)
		maxAfter = max(maxAfter, d.playback.Len())
	}
	assert.LessOrEqual(t, maxAfter, slack, "after each callback at most one frame stays queued")
	backlog, p := d.PlaybackBacklog()
	assert.LessOrEqual(t, backlog.Milliseconds(), int64(20))
	assert.Equal(t, int64(10), p.Milliseconds(), "period seen by the callback")
	assert.Positive(t, d.Stats().PlaybackOverflow, "dropped samples are counted")
}

// Capture is bounded by Read (its consumer): after a burst, at most one device period stays queued.
func TestCaptureBacklogBounded(t *testing.T) {
	d := newDevice(nil)
	in := make([]byte, 2*320) // 40 ms capture transfers (PulseAudio's default fragment)
	for range 20 {            // 800 ms captured while nobody read
		d.onData(nil, in, 320)
	}
	frame := make([]int16, FrameSamples)
	n, err := d.Read(frame)
	require.NoError(t, err)
	assert.Equal(t, FrameSamples, n)
	backlog, period := d.CaptureBacklog()
	assert.Equal(t, int64(40), period.Milliseconds())
	assert.LessOrEqual(t, backlog, period, "at most one capture period left after a read")
	assert.Positive(t, d.Stats().CaptureOverflow)
}
