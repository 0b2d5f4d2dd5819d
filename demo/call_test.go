package demo

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"softphone/audio/tone"
)

// pcmCollector keeps received audio for analysis.
type pcmCollector struct {
	mu  sync.Mutex
	pcm []int16
}

func (c *pcmCollector) add(p []int16) {
	c.mu.Lock()
	c.pcm = append(c.pcm, p...)
	c.mu.Unlock()
}

func (c *pcmCollector) samples() []int16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int16(nil), c.pcm...)
}

// runStream runs s until the returned stop is called.
func runStream(t *testing.T, s *stream) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.run(ctx)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestEchoReturnsTheToneOverSRTP(t *testing.T) {
	for _, ext := range []string{"echo", "*43"} {
		t.Run(ext, func(t *testing.T) {
			p := startPBX(t, Config{})
			ctx := testCtx(t)
			ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
			ph.mustRegister(ctx)

			var got pcmCollector
			st, err := newStream(testLogger(t), modeTone, newSine(1000, 8000))
			require.NoError(t, err)
			st.onAudio = got.add
			d, err := ph.dial(ctx, ext, st.offer())
			require.NoError(t, err)
			require.NoError(t, st.setAnswer(d.InviteResponse.Body()))
			stop := runStream(t, st)
			require.Eventually(t, func() bool { return len(got.samples()) >= 4000 }, 5*time.Second, 20*time.Millisecond,
				"echoed audio must come back")
			stop()

			pcm := got.samples()[800:] // skip the ramp-in
			at := goertzel(pcm, 1000)
			off := goertzel(pcm, 1500)
			assert.Greater(t, at, 100*off, "the echo carries 1000 Hz (power at 1000 Hz %.1f, at 1500 Hz %.1f)", at, off)
			assert.InDelta(t, 1000, tone.DominantFrequency(pcm, sampleRate), 5, "audio/tone's detector agrees")
			assert.Zero(t, st.authFail.Load(), "every echoed packet authenticates")

			require.NoError(t, d.Bye(ctx))
			require.Eventually(t, func() bool { return p.ActiveCalls() == 0 }, 5*time.Second, 10*time.Millisecond)
		})
	}
}

func TestExtensions(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	ph.mustRegister(ctx)

	tests := []struct {
		name   string
		target string
		offer  func() []byte
		want   int
	}{
		{"busy", "busy", nil, sip.StatusBusyHere},
		{"unknown extension", "nobody", nil, sip.StatusNotFound},
		{"registered user calling self", "1001", nil, sip.StatusLoopDetected},
		{"echo without SRTP", "echo", func() []byte {
			return []byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n")
		}, sip.StatusNotAcceptableHere},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := newStream(testLogger(t), modeTone, newSine(440, 1000))
			require.NoError(t, err)
			defer st.close()
			offer := st.offer()
			if tc.offer != nil {
				offer = tc.offer()
			}
			_, err = ph.dial(ctx, tc.target, offer)
			require.Error(t, err)
			assert.Equal(t, tc.want, statusOf(err), err.Error())
		})
	}
	assert.Zero(t, p.ActiveCalls())
}

func TestInviteNeedsTheRightPassword(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", "not-the-password", p.CAPool())
	st, err := newStream(testLogger(t), modeTone, newSine(440, 1000))
	require.NoError(t, err)
	defer st.close()
	_, err = ph.dial(ctx, "echo", st.offer())
	require.Error(t, err)
	assert.Equal(t, sip.StatusForbidden, statusOf(err))
}

func TestRingUntilCancel(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	st, err := newStream(testLogger(t), modeTone, newSine(440, 1000))
	require.NoError(t, err)
	defer st.close()

	dialCtx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = ph.dial(dialCtx, "ring", st.offer())
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, time.Since(start), 450*time.Millisecond, "rings until cancelled")
	assert.Zero(t, p.ActiveCalls())
}

func TestMusicPlaysATone(t *testing.T) {
	p := startPBX(t, Config{})
	ctx := testCtx(t)
	ph := newPhone(t, p, "1001", DefaultAgentPassword, p.CAPool())
	var got pcmCollector
	st, err := newStream(testLogger(t), modeEcho, nil) // sends nothing of its own
	require.NoError(t, err)
	st.onAudio = got.add
	d, err := ph.dial(ctx, "*97", st.offer())
	require.NoError(t, err)
	require.NoError(t, st.setAnswer(d.InviteResponse.Body()))
	runStream(t, st)
	require.Eventually(t, func() bool { return len(got.samples()) >= 2400 }, 5*time.Second, 20*time.Millisecond)
	pcm := got.samples()[80:2400] // well inside the first 400 ms note (440 Hz)
	assert.Greater(t, goertzel(pcm, 440), 100*goertzel(pcm, 1000))
	require.NoError(t, d.Bye(ctx))
}
