package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"softphone/audio"
)

// media is the PBX's side of one call's audio: the negotiation the SIP
// handlers drive and the run loop the call goroutine owns.
type media interface {
	offer() ([]byte, error)
	answer(offer []byte) ([]byte, error) // initial INVITE or re-INVITE
	setAnswer(answer []byte) error
	run(ctx context.Context)
	sendDTMF(digits string) error
	close()
}

// sessionMedia is media on the project's audio.Session (SRTP mandatory).
type sessionMedia struct {
	s    *audio.Session
	log  *slog.Logger
	echo bool // the echo extension (loopback), not a tone
}

// newMedia makes the media of one PBX call: an echo (what the Sink plays is
// read back by the Source) or a tone source.
func newMedia(log *slog.Logger, tone *toneGen) (*sessionMedia, error) {
	cfg := audio.Config{
		LocalIP:     netip.AddrFrom4([4]byte{127, 0, 0, 1}),
		RequireSRTP: true,
		Logger:      log,
		// The echo should add as little delay as possible: a frame of jitter buffer, and the
		// loopback sends each frame back in the tick that plays it (audio.Session plays first).
		JitterMin: audio.FrameTime,
		JitterMax: 2 * audio.FrameTime,
	}
	if tone != nil {
		cfg.Source = toneSource{tone}
	} else {
		lb := &loopback{}
		cfg.Source, cfg.Sink = lb, lb
	}
	s, err := audio.NewSession(cfg)
	if err != nil {
		return nil, fmt.Errorf("media session: %w", err)
	}
	return &sessionMedia{s: s, log: log, echo: tone == nil}, nil
}

func (m *sessionMedia) offer() ([]byte, error) { return m.s.Offer() }

func (m *sessionMedia) answer(offer []byte) ([]byte, error) {
	a, err := m.s.Answer(offer)
	if errors.Is(err, audio.ErrSRTPRequired) {
		return nil, fmt.Errorf("%w: %v", ErrNoCrypto, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSDP, err)
	}
	return a, nil
}

func (m *sessionMedia) setAnswer(answer []byte) error {
	err := m.s.SetAnswer(answer)
	if errors.Is(err, audio.ErrSRTPRequired) {
		return fmt.Errorf("%w: %v", ErrNoCrypto, err)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrSDP, err)
	}
	return nil
}

func (m *sessionMedia) run(ctx context.Context) {
	if err := m.s.Run(ctx); err != nil && !errors.Is(err, audio.ErrClosed) {
		m.log.Debug("media ended", "error", err)
	}
	st := m.s.Stats()
	m.log.Debug("media stopped", "sent", st.PacketsSent, "received", st.PacketsReceived, "srtp_failures", st.SRTPFailures)
	if m.echo {
		// What the echo itself adds to an echo test's round trip (make bench-latency prints it):
		// the jitter buffer's wait; the loopback sends each frame back in the tick that played it.
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		m.log.Debug("echo latency", "jitter_wait_ms", ms(st.Latency.JitterDepth),
			"jitter_target_ms", ms(st.Latency.JitterTarget))
	}
	m.close()
}

func (m *sessionMedia) sendDTMF(digits string) error {
	err := m.s.SendDTMF(digits)
	switch {
	case errors.Is(err, audio.ErrNoDTMF):
		return ErrNoDTMF
	case errors.Is(err, audio.ErrInvalidDigit):
		return ErrBadDTMF
	}
	return err
}

func (m *sessionMedia) close() { _ = m.s.Close() }

// toneSource adapts a toneGen to audio.Source.
type toneSource struct{ g *toneGen }

// Read fills frame with the next samples of the tone.
func (t toneSource) Read(frame []int16) (int, error) {
	t.g.read(frame)
	return len(frame), nil
}

// loopbackFrames bounds the echo buffer (40 ms): more would only be delay. In the steady state
// it holds nothing between ticks: the frame played is read back in the same tick.
const loopbackFrames = 2

// loopback is the echo's Sink and Source: every frame played is captured
// again. The playout goroutine writes, the sender goroutine reads.
type loopback struct {
	mu     sync.Mutex
	frames [loopbackFrames][audio.FrameSamples]int16 // ring; guarded by mu
	head   int                                       // oldest frame; guarded by mu
	n      int                                       // frames held; guarded by mu
}

// Write keeps a frame to be sent back; when full, the oldest is dropped.
func (l *loopback) Write(frame []int16) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == loopbackFrames {
		l.head = (l.head + 1) % loopbackFrames
		l.n--
	}
	i := (l.head + l.n) % loopbackFrames
	l.frames[i] = [audio.FrameSamples]int16{}
	copy(l.frames[i][:], frame)
	l.n++
	return nil
}

// Read returns the oldest frame kept, or nothing (silence) when empty.
func (l *loopback) Read(frame []int16) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == 0 {
		return 0, nil
	}
	n := copy(frame, l.frames[l.head][:])
	l.head = (l.head + 1) % loopbackFrames
	l.n--
	return n, nil
}
