package audio

import (
	"fmt"
	"time"

	"softphone/audio/codec"
	"softphone/audio/resample"
)

// Sample rates a Session runs its Source and Sink at (Config.SampleRate).
const (
	RateNarrowband = 8000  // G.711 quality; what recording taps always get
	RateWideband   = 16000 // G.722 and Opus (wideband): audio up to 8 kHz
)

// FrameProcessor cleans each captured frame before it is encoded: echo cancellation against the
// frame played just before it, and noise suppression (audio/dsp implements it). It runs on the
// media clock goroutine and must not block.
type FrameProcessor interface {
	// Process writes the cleaned near (captured) frame to out; far is the frame last played.
	Process(near, far, out []int16)
	// Latency is the delay the processor adds to the capture path.
	Latency() time.Duration
}

// rate is the session's PCM rate: Source, Sink and the DSP run at it.
func (s *Session) rate() int {
	if s.cfg.SampleRate == RateWideband {
		return RateWideband
	}
	return RateNarrowband
}

// frameSamples is one 20 ms frame at the session rate.
func (s *Session) frameSamples() int { return s.rate() * int(FrameTime) / int(time.Second) }

// encoder is the send side of a codec: session-rate PCM, resampled to the codec's rate, encoded.
// It belongs to the tx step (one goroutine).
type encoder struct {
	c    codec.Codec
	conv *resample.Converter
	buf  []int16
}

func newEncoder(c codec.Codec, rate int) (*encoder, error) {
	conv, err := resample.New(rate, c.SampleRate())
	if err != nil {
		return nil, fmt.Errorf("%w: %s at %d Hz: %w", ErrIncompatible, c.Name(), rate, err)
	}
	return &encoder{c: c, conv: conv, buf: make([]int16, 0, 2048)}, nil
}

// encode appends the payload of one frame of session-rate pcm to dst.
func (e *encoder) encode(dst []byte, pcm []int16) []byte {
	e.buf = e.conv.Process(e.buf[:0], pcm)
	return e.c.Encode(dst, e.buf)
}

// tsPerFrame is how far the RTP timestamp advances per 20 ms frame: the codec's clock, not its
// sample rate (G.722: 160 for 320 samples; Opus: 960).
func (e *encoder) tsPerFrame() uint32 {
	return uint32(e.c.ClockRate() * int(FrameTime) / int(time.Second))
}

// tapDown hands Tap 8 kHz frames whatever the session rate (recording stays narrowband).
type tapDown struct {
	conv *resample.Converter
	buf  []int16
}

func newTapDown(rate int) *tapDown {
	conv, err := resample.New(rate, RateNarrowband)
	if err != nil {
		conv, _ = resample.New(RateNarrowband, RateNarrowband)
	}
	return &tapDown{conv: conv, buf: make([]int16, 0, FrameSamples)}
}

func (t *tapDown) frame(pcm []int16) []int16 {
	t.buf = t.conv.Process(t.buf[:0], pcm)
	return t.buf
}

// Codec reports the codec in use and its sample rate, for the call panel ("G722", 16000).
func (s *Session) Codec() (name string, sampleRate int) {
	m := s.media.Load()
	if m == nil {
		return "", 0
	}
	return m.send.c.Name(), m.send.c.SampleRate()
}

// buildCodecs gives m its encoder and decoders for the session rate. A codec that stays the same
// across a re-negotiation keeps its state (no glitch after hold).
func (s *Session) buildCodecs(m, old *mediaState) error {
	res := m.res
	if old != nil && old.send.c.Name() == res.Codec.Name && old.sendPT == res.Codec.PT {
		m.send = old.send
	} else {
		c, err := codec.New(res.Codec.Name)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrIncompatible, err)
		}
		if m.send, err = newEncoder(c, s.rate()); err != nil {
			return err
		}
	}
	// RFC 7587 section 6.1: in-band FEC only for a peer that says it uses it.
	if f, ok := m.send.c.(codec.FECSender); ok {
		f.SetFEC(codec.PeerTakesFEC(res.Codec.Fmtp))
	}
	m.clock = res.Codec.Rate
	if m.clock <= 0 {
		m.clock = m.send.c.ClockRate()
	}
	m.recv = make(map[uint8]*decoder, len(res.RecvCodecs))
	for _, rc := range res.RecvCodecs {
		if d := old.codecFor(rc.PT); d != nil && d.name == rc.Name {
			m.recv[rc.PT] = d
			continue
		}
		// The codec itself is made on the first packet of its payload type (lazyDecoder):
		// a G.711 call never builds the Opus decoder the answer also allows.
		if d, err := newLazyDecoder(rc.Name, s.rate()); err == nil {
			m.recv[rc.PT] = d
		}
	}
	return nil
}

// primaryDecoder is the decoder of the negotiated codec, which conceals losses.
func (m *mediaState) primaryDecoder() *decoder {
	if m == nil {
		return nil
	}
	if d := m.recv[m.res.Codec.PT]; d != nil {
		return d
	}
	for _, rc := range m.res.RecvCodecs {
		if d := m.recv[rc.PT]; d != nil {
			return d
		}
	}
	return nil
}

// keepCodec is the codec in use, which a re-offer lists first (sdp.Local.Keep).
func (s *Session) keepCodec() string {
	if m := s.media.Load(); m != nil {
		return m.send.c.Name()
	}
	return ""
}

// reportCodecChange logs a change of codec after a re-negotiation and counts it (Stats); the
// phone compares Codec() after every exchange and tells the agent.
func (s *Session) reportCodecChange(old, m *mediaState) {
	if old == nil || old.send.c.Name() == m.send.c.Name() {
		return
	}
	s.codecChanges.Add(1)
	s.log.Warn("codec changed by re-negotiation", "from", old.send.c.Name(), "to", m.send.c.Name())
}

// recvClock and sendClock are the RTP clocks of the two directions (8000 before negotiation).
func (s *Session) recvClock() int {
	if m := s.media.Load(); m != nil && m.clock > 0 {
		return m.clock
	}
	return RateNarrowband
}

func (s *Session) sendClock() int {
	if m := s.media.Load(); m != nil {
		return m.send.c.ClockRate()
	}
	return RateNarrowband
}

// farEnd is the frame last played, shared by playout (writer) and tx (reader, as the echo
// canceller's reference). Both run on the media clock goroutine, playout after tx, so tx sees
// the frame played one tick before the one it captures.
func (s *Session) farEnd() []int16 {
	if s.far == nil {
		s.far = make([]int16, s.frameSamples())
	}
	return s.far
}

// processingLatency is the delay added between device and codec: the frame processor (AEC, NS)
// and the resampling filters of each direction.
func (s *Session) processingLatency() (send, recv time.Duration) {
	if s.cfg.Processor != nil {
		send = s.cfg.Processor.Latency()
	}
	m := s.media.Load()
	if m == nil {
		return send, 0
	}
	send += m.send.conv.Delay()
	if d := m.primaryDecoder(); d != nil {
		recv = d.conv.Delay()
	}
	return send, recv
}
