package audio

import (
	"fmt"
	"time"

	"softphone/audio/codec"
	"softphone/audio/resample"
)

// decodeBufSamples is the codec output a decoder keeps room for: 120 ms at 48 kHz and more, the
// longest Opus packet.
const decodeBufSamples = 6000

// decoder is the receive side of a codec: decode, then resample to the session rate. It belongs
// to the playout step (one goroutine).
//
// The answer lets the peer send any of several codecs, but a call mostly uses one. A decoder
// from newLazyDecoder therefore makes its codec (for Opus an encoder and decoder of some
// hundred kilobytes) on the first payload or concealment that needs it, on the playout
// goroutine, once; every frame after that allocates nothing. name and conv are set at
// creation and never change, so other goroutines may read them (re-negotiation, Stats).
type decoder struct {
	name   string
	c      codec.Codec // nil until first needed (lazy), then fixed
	failed bool        // making the codec failed: the decoder plays silence
	conv   *resample.Converter
	buf    []int16
	fec    bool // the last conceal rebuilt the frame from the next packet's in-band FEC
}

// newLazyDecoder checks that the codec called name is one we implement and returns a decoder
// that makes it when first needed.
func newLazyDecoder(name string, rate int) (*decoder, error) {
	info, err := codec.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIncompatible, err)
	}
	conv, err := resample.New(info.SampleRate, rate)
	if err != nil {
		return nil, fmt.Errorf("%w: %s at %d Hz: %w", ErrIncompatible, name, rate, err)
	}
	return &decoder{name: info.Name, conv: conv}, nil
}

// ready makes the codec on first use; false when that failed (then and ever after).
func (d *decoder) ready() bool {
	if d.c != nil {
		return true
	}
	if d.failed {
		return false
	}
	c, err := codec.New(d.name)
	if err != nil {
		d.failed = true
		return false
	}
	d.c, d.buf = c, make([]int16, 0, decodeBufSamples)
	return true
}

// hasFEC reports whether payload carries in-band FEC for the frame before it (Opus LBRR); false
// before the codec exists.
func (d *decoder) hasFEC(payload []byte) bool {
	fc, ok := d.c.(codec.FECCarrier)
	return ok && fc.HasFEC(payload)
}

// decode appends the session-rate samples of payload to dst.
func (d *decoder) decode(dst []int16, payload []byte) []int16 {
	if !d.ready() {
		for range d.conv.OutRate() * int(FrameTime) / int(time.Second) {
			dst = append(dst, 0)
		}
		return dst
	}
	d.buf = d.c.Decode(d.buf[:0], payload)
	return d.conv.Process(dst, d.buf)
}

// conceal appends a replacement for a lost frame of n session-rate samples when the codec
// conceals by itself (Opus PLC, or its FEC from next); ok is false otherwise.
func (d *decoder) conceal(dst []int16, n int, next []byte) (out []int16, ok bool) {
	if !d.ready() {
		return dst, false
	}
	cc, is := d.c.(codec.Concealer)
	if !is {
		return dst, false
	}
	// Only a next packet that really carries FEC (Opus sends none in silence or CELT mode)
	// rebuilds the frame; otherwise this is the codec's own concealment.
	d.fec = d.hasFEC(next)
	if !d.fec {
		next = nil
	}
	d.buf = cc.Conceal(d.buf[:0], n*d.c.SampleRate()/d.conv.OutRate(), next)
	return d.conv.Process(dst, d.buf), true
}
