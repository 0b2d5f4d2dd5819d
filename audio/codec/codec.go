// Package codec holds the audio codecs of a call: G.711 µ-law (PCMU) and A-law (PCMA) for
// narrowband, G.722 and Opus for wideband. It is pure Go, so it builds for every OS without cgo.
//
// A Codec value is one direction of one call: G.722 and Opus keep state between frames, so the
// session takes a fresh value from New for its encoder and for each decoder.
package codec

import (
	"errors"
	"strings"
)

// ErrUnknownCodec reports a codec name or payload type we do not implement.
var ErrUnknownCodec = errors.New("codec: unknown codec")

// Codec encodes and decodes mono PCM frames at SampleRate.
type Codec interface {
	// Name is the SDP encoding name ("PCMU", "PCMA", "G722", "opus").
	Name() string
	// PayloadType is the RFC 3551 static payload type, or the dynamic one we offer (Opus).
	PayloadType() uint8
	// ClockRate is the RTP clock rate (8000 for G.722, RFC 3551 section 4.5.2; 48000 for Opus,
	// RFC 7587 section 4.1), which need not be the PCM rate.
	ClockRate() int
	// SampleRate is the rate of the PCM that Encode takes and Decode returns.
	SampleRate() int
	// Encode appends the encoding of pcm to dst and returns it.
	Encode(dst []byte, pcm []int16) []byte
	// Decode appends the samples of payload to dst and returns it. A payload that does not
	// decode yields concealment or silence, never a panic.
	Decode(dst []int16, payload []byte) []int16
}

// Concealer is a codec that hides a lost frame better than repeating PCM: Opus runs its own
// packet-loss concealment, or rebuilds the frame from the in-band FEC carried in the next packet.
type Concealer interface {
	// Conceal appends samples samples that replace a lost frame. next is the packet that follows
	// the gap when it has already arrived (its FEC is used), nil otherwise.
	Conceal(dst []int16, samples int, next []byte) []int16
}

// Info describes a codec for SDP: what New accepts and what the offer's a=rtpmap says.
type Info struct {
	Name        string
	PayloadType uint8 // static PT, or the dynamic PT we offer
	ClockRate   int   // RTP clock (a=rtpmap rate)
	Channels    int   // a=rtpmap channels; 0 = not written (1)
	SampleRate  int   // PCM rate of the codec here
	Fmtp        string
}

// Wideband reports whether the codec carries more than the telephone band (above 4 kHz).
func (i Info) Wideband() bool { return i.SampleRate > 8000 }

// known lists the codecs we implement, in our default order of preference: wideband first.
var known = []Info{
	{Name: "opus", PayloadType: OpusPayloadType, ClockRate: 48000, Channels: 2, SampleRate: OpusSampleRate,
		Fmtp: "useinbandfec=1; maxplaybackrate=16000; sprop-maxcapturerate=16000; stereo=0; sprop-stereo=0"},
	{Name: "G722", PayloadType: 9, ClockRate: 8000, SampleRate: 16000},
	{Name: "PCMA", PayloadType: 8, ClockRate: 8000, SampleRate: 8000},
	{Name: "PCMU", PayloadType: 0, ClockRate: 8000, SampleRate: 8000},
}

// Default is our codec preference when the configuration names none: Opus, G.722, then G.711.
func Default() []string {
	out := make([]string, len(known))
	for i, k := range known {
		out[i] = k.Name
	}
	return out
}

// Lookup returns the Info for an SDP encoding name (case-insensitive, RFC 4855).
func Lookup(name string) (Info, error) {
	for _, k := range known {
		if strings.EqualFold(k.Name, name) {
			return k, nil
		}
	}
	return Info{}, ErrUnknownCodec
}

// New returns a fresh codec for an SDP encoding name (case-insensitive).
func New(name string) (Codec, error) {
	switch strings.ToUpper(name) {
	case "PCMU":
		return PCMU{}, nil
	case "PCMA":
		return PCMA{}, nil
	case "G722":
		return NewG722(), nil
	case "OPUS":
		return NewOpus()
	}
	return nil, ErrUnknownCodec
}

// ByName is New under its older name.
func ByName(name string) (Codec, error) { return New(name) }

// SilenceByte returns the encoded value of digital silence for a G.711 codec, used to build
// comfort frames without encoding.
func SilenceByte(c Codec) byte {
	var b [1]byte
	return c.Encode(b[:0], []int16{0})[0]
}
