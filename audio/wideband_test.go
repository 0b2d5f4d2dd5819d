package audio

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/audio/codec"
	"softphone/audio/dsp"
)

// twoTone is a 16 kHz source of 1 kHz plus 6 kHz: the 6 kHz half only survives a wideband path.
type twoTone struct{ n int }

func (s *twoTone) Read(frame []int16) (int, error) {
	for i := range frame {
		t := float64(s.n) / RateWideband
		frame[i] = int16(6000*math.Sin(2*math.Pi*1000*t) + 6000*math.Sin(2*math.Pi*6000*t))
		s.n++
	}
	return len(frame), nil
}

// rateTap checks the recording contract: Tap frames are 8 kHz (160 samples) at any session rate.
type rateTap struct {
	mu   sync.Mutex
	bad  int
	seen int
}

func (r *rateTap) check(pcm []int16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen++
	if len(pcm) != FrameSamples {
		r.bad++
	}
}
func (r *rateTap) Captured(pcm []int16) { r.check(pcm) }
func (r *rateTap) Played(pcm []int16)   { r.check(pcm) }

type widePeer struct {
	s    *Session
	sink *bufferSink
	tap  *rateTap
	done chan error
}

func newWidePeer(t *testing.T, codecs []string) *widePeer {
	t.Helper()
	p := &widePeer{sink: &bufferSink{}, tap: &rateTap{}, done: make(chan error, 1)}
	s, err := NewSession(Config{LocalIP: loopback, RequireSRTP: true, Codecs: codecs, SampleRate: RateWideband,
		Source: &twoTone{}, Sink: p.sink, Tap: p.tap, RTCPInterval: 500 * time.Millisecond})
	require.NoError(t, err)
	p.s = s
	t.Cleanup(func() { _ = s.Close() })
	return p
}

// connect negotiates a→b, optionally sending a's RTP through a relay that drops every dropEvery-th.
func connect(t *testing.T, a, b *widePeer, dropEvery int) func() {
	t.Helper()
	offer, err := a.s.Offer()
	require.NoError(t, err)
	answer, err := b.s.Answer(offer)
	require.NoError(t, err)
	stop := func() {}
	if dropEvery > 0 {
		var addr netip.AddrPort
		addr, stop = relay(t, netip.AddrPortFrom(loopback, uint16(b.s.LocalPort())), dropEvery, 1<<30)
		answer = []byte(strings.Replace(string(answer),
			fmt.Sprintf("m=audio %d ", b.s.LocalPort()), fmt.Sprintf("m=audio %d ", addr.Port()), 1))
	}
	require.NoError(t, a.s.SetAnswer(answer))
	return stop
}

// highBand is the share of the last half second's energy above 4 kHz.
func highBand(p *widePeer) float64 {
	pcm := p.sink.last(RateWideband / 2)
	if len(pcm) < RateWideband/2 {
		return -1
	}
	return dsp.BandEnergy(pcm, RateWideband, 4000, 8000)
}

// Both directions of a call at 16 kHz: a wideband codec carries the 6 kHz tone (about half the
// energy), G.711 cannot. The recording tap still gets 8 kHz frames.
func TestWidebandLoopback(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	for _, tt := range []struct {
		codec string
		rate  int
		wide  bool
	}{{"opus", 16000, true}, {"G722", 16000, true}, {"PCMA", 8000, false}} {
		t.Run(tt.codec, func(t *testing.T) {
			a := newWidePeer(t, []string{tt.codec, "PCMU"})
			b := newWidePeer(t, []string{"opus", "G722", "PCMA", "PCMU"})
			defer connect(t, a, b, 0)()
			ctx, cancel := context.WithCancel(context.Background())
			go func() { a.done <- a.s.Run(ctx) }()
			go func() { b.done <- b.s.Run(ctx) }()
			name, rate := b.s.Codec()
			assert.Equal(t, tt.codec, name)
			assert.Equal(t, tt.rate, rate)
			for _, p := range []*widePeer{a, b} {
				eventually(t, "audio arrives", func() bool { return highBand(p) >= 0 && tone1k(p) })
			}
			time.Sleep(300 * time.Millisecond)
			ha, hb := highBand(a), highBand(b)
			t.Logf("%s: energy above 4 kHz at A %.1f%%, at B %.1f%%", tt.codec, 100*ha, 100*hb)
			if tt.wide {
				assert.Greater(t, ha, 0.3)
				assert.Greater(t, hb, 0.3)
			} else {
				assert.Less(t, ha, 0.01)
				assert.Less(t, hb, 0.01)
				// 16 kHz device, 8 kHz codec: the resampling filters' delay is in the account.
				l := a.s.Stats().Latency
				assert.InDelta(t, 2*time.Millisecond, l.SendProcessing, float64(time.Millisecond))
				assert.InDelta(t, 2*time.Millisecond, l.ReceiveProcessing, float64(time.Millisecond))
			}
			cancel()
			require.NoError(t, <-a.done)
			require.NoError(t, <-b.done)
			for _, p := range []*widePeer{a, b} {
				p.tap.mu.Lock()
				assert.Positive(t, p.tap.seen)
				assert.Zero(t, p.tap.bad, "tap frames are 8 kHz")
				p.tap.mu.Unlock()
			}
		})
	}
}

// tone1k reports whether the 1 kHz tone arrives (at least a quarter of the energy below 4 kHz).
func tone1k(p *widePeer) bool {
	pcm := p.sink.last(RateWideband / 2)
	return len(pcm) == RateWideband/2 && dsp.BandEnergy(pcm, RateWideband, 900, 1100) > 0.25
}

// Opus over a path that loses every 8th packet: the receiver rebuilds lost frames from the
// in-band FEC of the following packet, so the 6 kHz tone has no holes.
func TestOpusFECOnLossyPath(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := newWidePeer(t, []string{"opus"})
	b := newWidePeer(t, []string{"opus"})
	defer connect(t, a, b, 8)()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { a.done <- a.s.Run(ctx) }()
	go func() { b.done <- b.s.Run(ctx) }()
	eventually(t, "B recovers frames from FEC", func() bool { return b.s.Stats().FECRecovered >= 5 })
	time.Sleep(500 * time.Millisecond)
	st := b.s.Stats()
	t.Logf("B: lost %d, concealed %d, recovered from FEC %d, loss %.1f%%", st.PacketsLost, st.Concealed, st.FECRecovered, 100*st.LossFraction)
	// No 20 ms stretch of the last second is much quieter than the rest: losses are filled.
	pcm := b.sink.last(RateWideband)
	total := rmsOf(pcm)
	quiet := 0
	for i := 0; i+320 <= len(pcm); i += 320 {
		if rmsOf(pcm[i:i+320]) < total/4 {
			quiet++
		}
	}
	// A stalled machine (a late tick skipped by the media clock) may leave a hole of its own.
	assert.LessOrEqual(t, quiet, 2, "frames much quieter than the signal (holes) in the last second")
	assert.Positive(t, st.PacketsLost)
	assert.Greater(t, dsp.BandEnergy(pcm, RateWideband, 4000, 8000), 0.3)
	cancel()
	require.NoError(t, <-a.done)
	require.NoError(t, <-b.done)
}

func rmsOf(x []int16) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(len(x), 1)))
}

// Issue 14 §7: a call that settled on PCMU (the peer's first choice) must stay on PCMU after hold
// and resume, although our configuration lists PCMA first; a change would be counted.
func TestHoldKeepsNegotiatedCodec(t *testing.T) {
	a := newWidePeer(t, []string{"PCMA", "PCMU"})
	b := newWidePeer(t, []string{"PCMU", "PCMA"})
	offer, err := b.s.Offer()
	require.NoError(t, err)
	answer, err := a.s.Answer(offer)
	require.NoError(t, err)
	require.NoError(t, b.s.SetAnswer(answer))
	_, c := a.s.Negotiated()
	require.Equal(t, "PCMU", c)
	for _, hold := range []bool{true, false} {
		reoffer, err := a.s.SetHold(hold)
		require.NoError(t, err)
		assert.Regexp(t, `m=audio \d+ RTP/SAVP 0 8 `, string(reoffer), "the codec in use first")
		reanswer, err := b.s.Answer(reoffer)
		require.NoError(t, err)
		require.NoError(t, a.s.SetAnswer(reanswer))
		for _, p := range []*widePeer{a, b} {
			_, c := p.s.Negotiated()
			assert.Equal(t, "PCMU", c)
			assert.Zero(t, p.s.Stats().CodecChanges)
		}
	}
	// A genuine change (the peer re-offers G.711 A-law only) is reported.
	b2 := newWidePeer(t, []string{"PCMA"})
	offer, err = b2.s.Offer()
	require.NoError(t, err)
	_, err = a.s.Answer(offer)
	require.NoError(t, err)
	_, c = a.s.Negotiated()
	assert.Equal(t, "PCMA", c)
	assert.Equal(t, uint64(1), a.s.Stats().CodecChanges)
}

// fakeProcessor silences everything (an ideal canceller of a pure echo) and keeps the loudest
// far-end frame it was given.
type fakeProcessor struct {
	mu     sync.Mutex
	calls  int
	farMax float64
	size   int
}

func (f *fakeProcessor) Process(near, far, out []int16) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.size = len(near)
	f.farMax = max(f.farMax, rmsOf(far))
	clear(out)
}

func (f *fakeProcessor) Latency() time.Duration { return 0 }

// The frame processor sits between capture and encoder: what it outputs is what the peer hears,
// and its far-end reference is what our speaker played.
func TestProcessorInChain(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	proc := &fakeProcessor{}
	a := &widePeer{sink: &bufferSink{}, tap: &rateTap{}, done: make(chan error, 1)}
	s, err := NewSession(Config{LocalIP: loopback, RequireSRTP: true, Codecs: []string{"G722"}, SampleRate: RateWideband,
		Source: &twoTone{}, Sink: a.sink, Tap: a.tap, Processor: proc})
	require.NoError(t, err)
	a.s = s
	defer s.Close()
	b := newWidePeer(t, []string{"G722"})
	defer connect(t, a, b, 0)()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { a.done <- a.s.Run(ctx) }()
	go func() { b.done <- b.s.Run(ctx) }()
	eventually(t, "A plays B's audio", func() bool { return tone1k(&widePeer{sink: a.sink}) })
	time.Sleep(500 * time.Millisecond)
	assert.Less(t, rmsOf(b.sink.last(RateWideband/2)), 50.0, "B hears the processor's output (silence), not the raw microphone")
	cancel()
	require.NoError(t, <-a.done)
	require.NoError(t, <-b.done)
	proc.mu.Lock()
	defer proc.mu.Unlock()
	assert.Positive(t, proc.calls)
	assert.Equal(t, 320, proc.size, "20 ms frames at 16 kHz")
	assert.Greater(t, proc.farMax, 1000.0, "the reference is what A's speaker played")
}

// CPU per call of the codec path on a 16 kHz device, one 20 ms frame each way (resample, encode,
// decode, resample back), with G.711 as the reference.
func BenchmarkWidebandPath(b *testing.B) {
	for _, name := range []string{"PCMU", "G722", "opus"} {
		b.Run(name, func(b *testing.B) {
			ce, err := codec.New(name)
			require.NoError(b, err)
			cd, err := codec.New(name)
			require.NoError(b, err)
			enc, err := newEncoder(ce, RateWideband)
			require.NoError(b, err)
			dec, err := newDecoder(cd, RateWideband)
			require.NoError(b, err)
			pcm := make([]int16, 320)
			(&twoTone{}).Read(pcm)
			payload := make([]byte, 0, 1500)
			out := make([]int16, 0, 2048)
			b.ReportAllocs()
			for b.Loop() {
				payload = enc.encode(payload[:0], pcm)
				out = dec.decode(out[:0], payload)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20e6*100, "%cpu/call")
		})
	}
}
