package codec

import "github.com/gotranspile/g722"

// G722 is ITU-T G.722 at 64 kbit/s: 16 kHz audio in 8 bits per two samples. Its RTP clock is
// 8000 although it samples at 16 kHz (RFC 3551 section 4.5.2, kept for historical reasons).
// A G722 value holds ADPCM state: use one for encoding or decoding a stream, not both.
type G722 struct {
	enc *g722.Encoder
	dec *g722.Decoder
}

// NewG722 returns a G.722 codec with fresh encoder and decoder state.
func NewG722() *G722 {
	return &G722{enc: g722.NewEncoder(g722.Rate64000, 0), dec: g722.NewDecoder(g722.Rate64000, 0)}
}

// Name implements Codec.
func (*G722) Name() string { return "G722" }

// PayloadType implements Codec.
func (*G722) PayloadType() uint8 { return 9 }

// ClockRate implements Codec.
func (*G722) ClockRate() int { return 8000 }

// SampleRate implements Codec.
func (*G722) SampleRate() int { return 16000 }

// Encode implements Codec: one byte per two samples.
func (c *G722) Encode(dst []byte, pcm []int16) []byte {
	n := len(dst)
	dst = grow(dst, (len(pcm)+1)/2)
	w := c.enc.Encode(dst[n:], pcm)
	return dst[:n+w]
}

// Decode implements Codec: two samples per byte. Every byte sequence is valid G.722.
func (c *G722) Decode(dst []int16, payload []byte) []int16 {
	n := len(dst)
	dst = growPCM(dst, 2*len(payload))
	w := c.dec.Decode(dst[n:], payload)
	return dst[:n+w]
}

// grow extends b by n bytes, reusing its capacity.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}

// growPCM extends p by n samples, reusing its capacity.
func growPCM(p []int16, n int) []int16 {
	if cap(p)-len(p) < n {
		np := make([]int16, len(p), len(p)+n)
		copy(np, p)
		p = np
	}
	return p[:len(p)+n]
}
