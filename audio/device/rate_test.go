//go:build cgo

package device

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A device opened for wideband delivers 16,000 samples a second (miniaudio converts), twice the
// narrowband rate, and its latency account is in time, not samples.
func TestWidebandRate(t *testing.T) {
	for _, rate := range []int{8000, 16000} {
		d, err := Open(Config{Backend: "null", SampleRate: rate})
		require.NoError(t, err)
		frame := make([]int16, rate/50)
		got := 0
		// Let the stream start, then count what a second brings.
		time.Sleep(300 * time.Millisecond)
		_, _ = d.Read(make([]int16, 8192))
		start := time.Now()
		for time.Since(start) < time.Second {
			n, err := d.Read(frame)
			require.NoError(t, err)
			got += n
			require.NoError(t, d.Write(frame))
			time.Sleep(20 * time.Millisecond)
		}
		perSec := float64(got) / time.Since(start).Seconds()
		t.Logf("%d Hz device: %.0f samples/s captured", rate, perSec)
		assert.InDelta(t, rate, perSec, 0.3*float64(rate))
		_, period := d.CaptureBacklog()
		assert.Less(t, period, 100*time.Millisecond, "period reported as time")
		require.NoError(t, d.Close())
	}
}
