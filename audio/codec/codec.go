// Package codec holds the audio codecs of a call: G.711 µ-law (PCMU) and A-law (PCMA).
// It is pure Go.
package codec

import (
	"errors"
	"strings"

	"github.com/zaf/g711"
)

// ErrUnknownCodec reports a codec name or payload type we do not implement.
var ErrUnknownCodec = errors.New("codec: unknown codec")

// Codec encodes and decodes 8 kHz mono frames.
type Codec interface {
	// Name is the SDP encoding name ("PCMU", "PCMA").
	Name() string
	// PayloadType is the RFC 3551 static payload type.
	PayloadType() uint8
	// ClockRate is the RTP clock rate.
	ClockRate() int
	// Encode appends the encoding of pcm to dst and returns it.
	Encode(dst []byte, pcm []int16) []byte
	// Decode appends the samples of payload to dst and returns it.
	Decode(dst []int16, payload []byte) []int16
}

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

// ByName returns the codec for an SDP encoding name (case-insensitive).
func ByName(name string) (Codec, error) {
	switch strings.ToUpper(name) {
	case "PCMU":
		return PCMU{}, nil
	case "PCMA":
		return PCMA{}, nil
	}
	return nil, ErrUnknownCodec
}

// SilenceByte returns the encoded value of digital silence for c, used to build comfort frames
// without encoding.
func SilenceByte(c Codec) byte {
	var b [1]byte
	return c.Encode(b[:0], []int16{0})[0]
}
