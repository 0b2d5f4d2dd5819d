package codec

import "github.com/zaf/g711"

// PCMU is G.711 µ-law.
type PCMU struct{}

// PCMA is G.711 A-law.
type PCMA struct{}

// Name implements Codec.
func (PCMU) Name() string { return "PCMU" }

// PayloadType implements Codec.
func (PCMU) PayloadType() uint8 { return 0 }

// ClockRate implements Codec.
func (PCMU) ClockRate() int { return 8000 }

// SampleRate implements Codec.
func (PCMU) SampleRate() int { return 8000 }

// Encode implements Codec.
func (PCMU) Encode(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, g711.EncodeUlawFrame(s))
	}
	return dst
}

// Decode implements Codec.
func (PCMU) Decode(dst []int16, payload []byte) []int16 {
	for _, b := range payload {
		dst = append(dst, g711.DecodeUlawFrame(b))
	}
	return dst
}

// Name implements Codec.
func (PCMA) Name() string { return "PCMA" }

// PayloadType implements Codec.
func (PCMA) PayloadType() uint8 { return 8 }

// ClockRate implements Codec.
func (PCMA) ClockRate() int { return 8000 }

// SampleRate implements Codec.
func (PCMA) SampleRate() int { return 8000 }

// Encode implements Codec.
func (PCMA) Encode(dst []byte, pcm []int16) []byte {
	for _, s := range pcm {
		dst = append(dst, g711.EncodeAlawFrame(s))
	}
	return dst
}

// Decode implements Codec.
func (PCMA) Decode(dst []int16, payload []byte) []int16 {
	for _, b := range payload {
		dst = append(dst, g711.DecodeAlawFrame(b))
	}
	return dst
}
