package audio

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/audio/tone"
)

// tickPeer is one side of BenchmarkMediaTick: a negotiated session and its media clock's
// per-frame steps, driven by hand instead of by Run's ticker.
type tickPeer struct {
	s    *Session
	tx   func(time.Time)
	play func(time.Time)
	rx   *rxPoller // nil off Linux: the benchmark then measures tx and playout only
}

func newTickPeer(b *testing.B) *tickPeer {
	s, err := NewSession(Config{LocalIP: loopback, RequireSRTP: true, Suites: []string{SuiteAEADAES128GCM},
		Codecs: []string{"PCMA"}, Source: tone.NewSine(440, 8000, SampleRate), Sink: discardSink{},
		Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	return &tickPeer{s: s}
}

// discardSink plays nothing (a bufferSink would grow and allocate).
type discardSink struct{}

func (discardSink) Write([]int16) error { return nil }

func (p *tickPeer) start() {
	p.s.startTime = time.Now()
	p.s.rtpOut = p.s.newRTPSender()
	p.tx, _ = p.s.txFrames()
	p.play = p.s.playoutFrames()
	p.rx = p.s.newRxPoller()
}

// frame is one tick of the media clock, as Run does it: drain the socket, play, send.
func (p *tickPeer) frame(b *testing.B, now time.Time) {
	if p.rx != nil {
		if err := p.rx.drain(now); err != nil {
			b.Fatal(err)
		}
	}
	p.play(now)
	p.tx(now)
}

// BenchmarkMediaTick is the work of one 20 ms frame of an SRTP (AEAD-AES-128-GCM) G.711 call
// on both sides of a loopback pair: receive and decrypt, jitter buffer, decode, play, read the
// source, encode, encrypt and send. One op is one frame of each side; ns/op over 20 ms is the
// share of one core a call costs for its media, and allocs/op must stay 0 (the media path
// allocates nothing per frame). The reference beside it is the SRTP protect+unprotect alone
// (BenchmarkSRTPSession), the floor of the same work.
func BenchmarkMediaTick(b *testing.B) {
	a, c := newTickPeer(b), newTickPeer(b)
	offer, err := a.s.Offer()
	require.NoError(b, err)
	answer, err := c.s.Answer(offer)
	require.NoError(b, err)
	require.NoError(b, a.s.SetAnswer(answer))
	a.start()
	c.start()
	now := time.Now()
	for range 10 { // warm up: jitter buffers primed, first packets through
		now = now.Add(FrameTime)
		a.frame(b, now)
		c.frame(b, now)
	}
	b.ReportAllocs()
	for b.Loop() {
		now = now.Add(FrameTime)
		a.frame(b, now)
		c.frame(b, now)
	}
	b.StopTimer()
	per := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / 2 // one side's frame
	b.ReportMetric(per/float64(FrameTime.Nanoseconds())*100, "%core/call")
	if st := c.s.Stats(); st.PacketsReceived == 0 {
		b.Fatal("no packet crossed the loopback pair")
	}
}
