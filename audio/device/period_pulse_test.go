//go:build cgo

package device

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/internal/testpeer"
)

// The sound server holds about one short period for us each way: the periods asked are 5 ms.
// Checked on a real PulseAudio: the transfers our callbacks see, and the buffer PulseAudio itself
// reports for each of our two streams.
func TestDeviceBuffersPulseAudio(t *testing.T) {
	p := testpeer.StartPulse(t)
	p.KeepAwake(t, "speaker")
	d, err := Open(Config{Capture: "mic", Playback: "speaker"})
	require.NoError(t, err)
	defer d.Close()
	stop := make(chan struct{})
	wg := playing(d, stop)
	defer func() { close(stop); wg.Wait() }()
	frame := make([]int16, FrameSamples)
	require.Eventually(t, func() bool {
		_, _ = d.Read(frame)
		_, capPeriod := d.CaptureBacklog()
		_, playPeriod := d.PlaybackBacklog()
		return capPeriod > 0 && playPeriod > 0 && d.streams[streamPlayback].callbacks.Load() >= steadyCallbacks
	}, 5*time.Second, 20*time.Millisecond, "both streams running")

	// 5 ms periods (10 ms before issue 14's last round: 10 ms transfers, 8 and 10.5 ms buffers).
	const period = 5 * time.Millisecond
	_, capPeriod := d.CaptureBacklog()
	_, playPeriod := d.PlaybackBacklog()
	t.Logf("transfers seen by the callbacks: capture %v, playback %v (asked %v)", capPeriod, playPeriod, period)
	assert.LessOrEqual(t, capPeriod, period+time.Millisecond, "capture transfer")
	assert.LessOrEqual(t, playPeriod, period+time.Millisecond, "playback transfer")

	me := filepath.Base(os.Args[0])
	for _, kind := range []string{"sink-inputs", "source-outputs"} {
		out, err := p.Pactl("list", kind)
		require.NoError(t, err)
		buffer, ok := streamBuffer(out, me)
		require.True(t, ok, "our stream in pactl list %s:\n%s", kind, out)
		t.Logf("PulseAudio's buffer for our %s: %v", kind, buffer)
		assert.LessOrEqual(t, buffer, 2*period, "%s buffer", kind)
	}
}

// streamBuffer finds the "Buffer Latency" of the stream of application app in pactl list output.
func streamBuffer(out, app string) (time.Duration, bool) {
	re := regexp.MustCompile(`Buffer Latency: (\d+) usec`)
	for _, block := range strings.Split(out, "\n\n") {
		if !strings.Contains(block, `application.process.binary = "`+app+`"`) {
			continue
		}
		if m := re.FindStringSubmatch(block); m != nil {
			us, _ := strconv.Atoi(m[1])
			return time.Duration(us) * time.Microsecond, true
		}
	}
	return 0, false
}
