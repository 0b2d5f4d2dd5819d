package card

import (
	"context"
	"encoding/binary"
	"math"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/audio"
	"softphone/audio/dsp"
	"softphone/internal/testpeer"
)

// pacat16k plays (or parec16k records) 16 kHz mono through the test's PulseAudio.
func pacat16k(t *testing.T, p *testpeer.Pulse, sink string, pcm []int16) {
	t.Helper()
	cmd := exec.Command("pacat", "--playback", "-d", sink, "--raw", "--rate=16000", "--channels=1", "--format=s16le", "--latency-msec=20")
	cmd.Env = append(os.Environ(), "PULSE_SERVER="+p.Server)
	buf := make([]byte, 2*len(pcm))
	for i, v := range pcm {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(v))
	}
	cmd.Stdin = strings.NewReader(string(buf))
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "pacat: %s", out)
}

func parec16k(p *testpeer.Pulse, source string, d time.Duration) []int16 {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, "parec", "-d", source, "--raw", "--rate=16000", "--channels=1", "--format=s16le", "--latency-msec=20")
	cmd.Env = append(os.Environ(), "PULSE_SERVER="+p.Server)
	out, _ := cmd.Output() // killed at the deadline: the normal end
	pcm := make([]int16, len(out)/2)
	for i := range pcm {
		pcm[i] = int16(binary.LittleEndian.Uint16(out[2*i:]))
	}
	return pcm
}

func tone16k(hz float64, seconds float64) []int16 {
	pcm := make([]int16, int(seconds*audio.RateWideband))
	for i := range pcm {
		pcm[i] = int16(12000 * math.Sin(2*math.Pi*hz*float64(i)/audio.RateWideband))
	}
	return pcm
}

type loopSource struct{ pcm []int16 }

func (l *loopSource) Read(frame []int16) (int, error) {
	for i := range frame {
		frame[i] = l.pcm[0]
		l.pcm = append(l.pcm[1:], l.pcm[0])
	}
	return len(frame), nil
}

type collect struct {
	mu  sync.Mutex
	pcm []int16
}

func (c *collect) Write(f []int16) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pcm = append(c.pcm, f...)
	return nil
}

// highest is the best share of energy above 4 kHz over the half seconds of pcm that carry sound.
func highest(pcm []int16) float64 {
	best := 0.0
	for i := 0; i+8000 <= len(pcm); i += 4000 {
		if testpeer.RMS(pcm[i:i+8000]) > 500 {
			best = max(best, dsp.BandEnergy(pcm[i:i+8000], audio.RateWideband, 4000, 8000))
		}
	}
	return best
}

// The desktop's sound card path is wideband for real: on PulseAudio, a 6 kHz tone played into
// our microphone crosses a G.722 call, and the far end's 6 kHz tone comes out of our speaker.
func TestWidebandThroughPulseAudio(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs PulseAudio")
	}
	p := testpeer.StartPulse(t)
	p.KeepAwake(t, "speaker")
	p.KeepAwake(t, "micfeed")
	c := New(Config{})
	require.Equal(t, audio.RateWideband, c.SampleRate())
	src, sink, closer, err := c.Open()
	require.NoError(t, err)
	defer closer.Close()
	require.NoError(t, c.Problem(), "a real device, not the null fallback")

	loopback := netip.MustParseAddr("127.0.0.1")
	ours, err := audio.NewSession(audio.Config{LocalIP: loopback, RequireSRTP: true, SampleRate: audio.RateWideband,
		Codecs: []string{"G722"}, Source: src, Sink: sink})
	require.NoError(t, err)
	defer ours.Close()
	far := &collect{}
	peer, err := audio.NewSession(audio.Config{LocalIP: loopback, RequireSRTP: true, SampleRate: audio.RateWideband,
		Codecs: []string{"G722"}, Source: &loopSource{pcm: tone16k(6000, 0.1)}, Sink: far})
	require.NoError(t, err)
	defer peer.Close()
	offer, err := ours.Offer()
	require.NoError(t, err)
	answer, err := peer.Answer(offer)
	require.NoError(t, err)
	require.NoError(t, ours.SetAnswer(answer))

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = ours.Run(ctx) })
	wg.Go(func() { _ = peer.Run(ctx) })
	var speaker []int16
	var rec sync.WaitGroup
	rec.Go(func() { speaker = parec16k(p, "speaker.monitor", 5*time.Second) })
	time.Sleep(500 * time.Millisecond)
	pacat16k(t, p, "micfeed", tone16k(6000, 3.5))
	rec.Wait()
	cancel()
	wg.Wait()

	far.mu.Lock()
	farHigh := highest(far.pcm)
	far.mu.Unlock()
	ourHigh := highest(speaker)
	t.Logf("our microphone → far end: %.0f%% above 4 kHz; far end → our speaker: %.0f%% above 4 kHz", 100*farHigh, 100*ourHigh)
	assert.Greater(t, farHigh, 0.5, "the far end hears our microphone's 6 kHz tone")
	assert.Greater(t, ourHigh, 0.5, "our speaker plays the far end's 6 kHz tone")
}
