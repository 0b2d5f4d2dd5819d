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

// The sound server holds about one period for us each way: 5 ms by default, 10 ms when the
// configuration asks for it. Checked on a real PulseAudio: the transfers our callbacks see, and
// the buffer PulseAudio itself reports for each of our two streams.
func TestDeviceBuffersPulseAudio(t *testing.T) {
	p := testpeer.StartPulse(t)
	p.KeepAwake(t, "speaker")
	for _, tc := range []struct {
		name        string
		ask, period time.Duration
	}{{"default", 0, DefaultPeriod}, {"10ms", 10 * time.Millisecond, 10 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			capPeriod, playPeriod := runningPeriods(t, Config{Capture: "mic", Playback: "speaker", Period: tc.ask})
			t.Logf("transfers seen by the callbacks: capture %v, playback %v (asked %v)", capPeriod, playPeriod, tc.period)
			assert.LessOrEqual(t, capPeriod, tc.period+time.Millisecond, "capture transfer")
			assert.LessOrEqual(t, playPeriod, tc.period+time.Millisecond, "playback transfer")
			if tc.period > DefaultPeriod {
				assert.Greater(t, playPeriod, DefaultPeriod+time.Millisecond, "the longer period is what the server uses")
			}
			me := filepath.Base(os.Args[0])
			for _, kind := range []string{"sink-inputs", "source-outputs"} {
				out, err := p.Pactl("list", kind)
				require.NoError(t, err)
				buffer, ok := streamBuffer(out, me)
				require.True(t, ok, "our stream in pactl list %s:\n%s", kind, out)
				t.Logf("PulseAudio's buffer for our %s: %v", kind, buffer)
				assert.LessOrEqual(t, buffer, 2*tc.period, "%s buffer", kind)
			}
		})
	}
}

// runningPeriods opens cfg, plays until both streams run steadily, and returns the largest
// transfers the callbacks saw (the device is closed when the test ends).
func runningPeriods(t *testing.T, cfg Config) (capture, playback time.Duration) {
	t.Helper()
	d, err := Open(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	stop := make(chan struct{})
	wg := playing(d, stop)
	t.Cleanup(func() { close(stop); wg.Wait() })
	frame := make([]int16, FrameSamples)
	require.Eventually(t, func() bool {
		_, _ = d.Read(frame)
		_, capPeriod := d.CaptureBacklog()
		_, playPeriod := d.PlaybackBacklog()
		return capPeriod > 0 && playPeriod > 0 && d.streams[streamPlayback].callbacks.Load() >= steadyCallbacks
	}, 5*time.Second, 20*time.Millisecond, "both streams running")
	_, capture = d.CaptureBacklog()
	_, playback = d.PlaybackBacklog()
	return capture, playback
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
