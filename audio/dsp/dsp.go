// Package dsp is the processing between the sound card and the codec: acoustic echo
// cancellation and noise suppression (speexdsp 1.2.1, compiled from vendored C sources with
// cgo), plus measuring helpers for tests. Without cgo, New reports ErrUnavailable and the call
// runs without echo control.
package dsp

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"softphone/audio/dsp/internal/speexdsp"
)

// ErrUnavailable reports a build without the echo canceller (no cgo, e.g. the macOS check build).
var ErrUnavailable = errors.New("echo cancellation is not available in this build")

// DefaultTail is how long an echo path the canceller models: the device buffers on both sides
// (capture and playout backlog, some 60–120 ms) plus the room's reverberation.
const DefaultTail = 250 * time.Millisecond

// Config configures a Processor.
type Config struct {
	SampleRate    int           // 8000, 16000 or 48000
	FrameSamples  int           // samples per frame (20 ms)
	EchoCancel    bool          // cancel the far end's echo from the microphone
	NoiseSuppress bool          // attenuate stationary noise
	Tail          time.Duration // echo path modelled; zero = DefaultTail
}

// Processor cleans the microphone signal of one call: the far-end echo and stationary noise.
// Call Process once per frame from one goroutine; Close may come from any goroutine at any time
// (the call's end), after which Process passes audio through.
type Processor struct {
	cfg Config

	mu     sync.Mutex // guards echo against Close during Process (C memory)
	echo   *speexdsp.Echo
	closed bool
}

// Available reports whether this build can cancel echo.
func Available() bool { return speexdsp.Available }

// New prepares a Processor. It returns ErrUnavailable in a build without cgo.
func New(cfg Config) (*Processor, error) {
	if cfg.SampleRate <= 0 || cfg.FrameSamples <= 0 {
		return nil, fmt.Errorf("dsp: sample rate and frame size are required")
	}
	if cfg.Tail <= 0 {
		cfg.Tail = DefaultTail
	}
	if !speexdsp.Available {
		return nil, ErrUnavailable
	}
	tail := int(cfg.Tail * time.Duration(cfg.SampleRate) / time.Second)
	e, err := speexdsp.New(speexdsp.Config{Rate: cfg.SampleRate, Frame: cfg.FrameSamples, Tail: tail,
		EchoCancel: cfg.EchoCancel, Denoise: cfg.NoiseSuppress})
	if err != nil {
		return nil, fmt.Errorf("dsp: %w", err)
	}
	return &Processor{cfg: cfg, echo: e}, nil
}

// Process writes the cleaned microphone frame to out: near is the frame just captured, far the
// frame just handed to the speaker. out may be near.
func (p *Processor) Process(near, far, out []int16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(near) != p.cfg.FrameSamples || len(out) != len(near) || (p.cfg.EchoCancel && len(far) != len(near)) {
		copy(out, near) // a frame of another size (a device change mid-call) passes unprocessed
		return
	}
	p.echo.Process(near, far, out)
}

// Latency is what the processor adds to the capture path: nothing, speexdsp works within the
// frame it is given.
func (p *Processor) Latency() time.Duration { return 0 }

// Reset forgets the learnt echo path, for when the output device changes.
func (p *Processor) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.echo.Reset()
	}
}

// Close frees the processor; it is idempotent.
func (p *Processor) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.closed = true
		p.echo.Close()
	}
	return nil
}
