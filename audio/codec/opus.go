package codec

import (
	"fmt"
	"sync/atomic"

	"github.com/thesyncim/gopus"
)

// Opus parameters: wideband speech, mono, 20 ms frames, in-band FEC on.
const (
	// OpusPayloadType is the dynamic payload type we offer for Opus.
	OpusPayloadType = 111
	// OpusSampleRate is the PCM rate we run Opus at: wideband (up to 8 kHz audio), matching the
	// G.722 path so one internal rate serves both. The RTP clock stays 48000 (RFC 7587).
	OpusSampleRate = 16000
	// OpusBitrate leaves room for the FEC copy of the previous frame.
	OpusBitrate = 32000
	// OpusComplexity trades encoder CPU for quality (0..10; libopus defaults to 9 on desktops).
	OpusComplexity = 5
	// opusLossPercent tells the encoder how much loss to protect against (it sizes the FEC).
	opusLossPercent = 10
	// opusMaxFrame is 120 ms at OpusSampleRate, the longest packet RFC 6716 allows.
	opusMaxFrame = 120 * OpusSampleRate / 1000
)

// Opus is RFC 6716 Opus through a pure-Go implementation. It sends mono at OpusSampleRate with
// in-band FEC and decodes whatever the peer sends (stereo is mixed down). An Opus value holds
// encoder and decoder state: use one per stream and direction.
type Opus struct {
	enc    *gopus.Encoder
	dec    *gopus.Decoder
	pkt    []byte    // encode output
	pcmF   []float32 // FEC/PLC output
	pcm16  []int16   // decode output
	frame  int       // samples per encoded frame
	failed uint64    // payloads that did not decode

	// fecWant is the in-band FEC setting asked for by SetFEC (fecOn/fecOff,
	// 0 = no change): a re-negotiation sets it while the media goroutine
	// encodes, so Encode applies it on its own goroutine.
	fecWant atomic.Int32
}

const (
	fecOn  = 1
	fecOff = 2
)

// NewOpus returns an Opus codec with fresh state.
func NewOpus() (*Opus, error) {
	enc, err := gopus.NewEncoder(gopus.EncoderConfig{SampleRate: OpusSampleRate, Channels: 1,
		Application: gopus.ApplicationVoIP})
	if err != nil {
		return nil, fmt.Errorf("opus encoder: %w", err)
	}
	if err := enc.SetBitrate(OpusBitrate); err != nil {
		return nil, fmt.Errorf("opus bitrate: %w", err)
	}
	if err := enc.SetComplexity(OpusComplexity); err != nil {
		return nil, fmt.Errorf("opus complexity: %w", err)
	}
	enc.SetFEC(true)
	if err := enc.SetPacketLoss(opusLossPercent); err != nil {
		return nil, fmt.Errorf("opus loss: %w", err)
	}
	if err := enc.SetSignal(gopus.SignalVoice); err != nil {
		return nil, fmt.Errorf("opus signal: %w", err)
	}
	dec, err := gopus.NewDecoder(gopus.DefaultDecoderConfig(OpusSampleRate, 1))
	if err != nil {
		return nil, fmt.Errorf("opus decoder: %w", err)
	}
	return &Opus{enc: enc, dec: dec, pkt: make([]byte, 1500), pcmF: make([]float32, opusMaxFrame),
		pcm16: make([]int16, opusMaxFrame), frame: OpusSampleRate / 50}, nil
}

// Name implements Codec.
func (*Opus) Name() string { return "opus" }

// PayloadType implements Codec.
func (*Opus) PayloadType() uint8 { return OpusPayloadType }

// ClockRate implements Codec: always 48000 (RFC 7587 section 4.1).
func (*Opus) ClockRate() int { return 48000 }

// SampleRate implements Codec.
func (*Opus) SampleRate() int { return OpusSampleRate }

// Encode implements Codec. pcm must be 10, 20, 40 or 60 ms; a frame of another length, or an
// encoder failure, yields no payload (the caller sends nothing for that frame).
func (c *Opus) Encode(dst []byte, pcm []int16) []byte {
	if w := c.fecWant.Swap(0); w != 0 {
		c.enc.SetFEC(w == fecOn)
	}
	if len(pcm) != c.frame {
		if err := c.enc.SetFrameSize(len(pcm)); err != nil {
			return dst
		}
		c.frame = len(pcm)
	}
	n, err := c.enc.EncodeInt16(pcm, c.pkt)
	if err != nil {
		return dst
	}
	return append(dst, c.pkt[:n]...)
}

// Decode implements Codec. A payload that does not parse is concealed instead.
func (c *Opus) Decode(dst []int16, payload []byte) []int16 {
	n, err := c.dec.DecodeInt16(payload, c.pcm16)
	if err != nil {
		c.failed++
		return c.Conceal(dst, c.frame, nil)
	}
	return append(dst, c.pcm16[:n]...)
}

// Conceal implements Concealer: FEC from next when it carries it, Opus PLC otherwise.
func (c *Opus) Conceal(dst []int16, samples int, next []byte) []int16 {
	if samples <= 0 || samples > opusMaxFrame {
		samples = c.frame
	}
	buf := c.pcmF[:samples]
	var n int
	var err error
	if c.HasFEC(next) {
		n, err = c.dec.DecodeWithFEC(next, buf, true)
	} else {
		n, err = c.dec.Decode(nil, buf)
	}
	if err != nil || n <= 0 {
		// Nothing to conceal from (no frame decoded yet): silence of the right length.
		dst = growPCM(dst, samples)
		clear(dst[len(dst)-samples:])
		return dst
	}
	for _, f := range buf[:n] {
		dst = append(dst, floatToPCM(f))
	}
	return dst
}

// Failed is the number of payloads that did not decode.
func (c *Opus) Failed() uint64 { return c.failed }

func floatToPCM(f float32) int16 {
	v := f * 32768
	switch {
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	}
	return int16(v)
}
