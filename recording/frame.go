package recording

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// The plaintext of one segment (inside its age encryption) is
//
//	header: "SPRSEG1\n" | recording id (16 bytes) | segment number (uint32 LE)
//	frames: channel (1 byte: 1 agent, 2 customer) | sample position (uint64 LE)
//	        | sample count (uint16 LE) | samples (int16 LE)
//
// The header binds a segment to its recording and position in the sequence
// (age's AEAD then makes any change detectable). The sample position counts
// every sample the phone handed over, written or gated, so the reader can put
// both channels on one time line and render paused stretches as silence.

const (
	segMagic      = "SPRSEG1\n"
	segHeaderSize = len(segMagic) + 16 + 4
	frameHdrSize  = 1 + 8 + 2
	// maxFrameSamples bounds one frame (120 ms at 8 kHz); longer writes are split.
	maxFrameSamples = 960
)

// Channel is one side of the call.
type Channel uint8

// Channels.
const (
	ChannelAgent    Channel = 1
	ChannelCustomer Channel = 2
)

// Frame is one block of mono 8 kHz samples of one channel.
type Frame struct {
	Channel Channel
	Pos     uint64 // sample position of the first sample on the channel's time line
	Samples []int16
}

// appendSegHeader appends the segment header.
func appendSegHeader(dst []byte, recID [16]byte, seg uint32) []byte {
	dst = append(dst, segMagic...)
	dst = append(dst, recID[:]...)
	return binary.LittleEndian.AppendUint32(dst, seg)
}

// appendFrame appends one encoded frame (len(samples) ≤ maxFrameSamples).
func appendFrame(dst []byte, ch Channel, pos uint64, samples []int16) []byte {
	dst = append(dst, byte(ch))
	dst = binary.LittleEndian.AppendUint64(dst, pos)
	dst = binary.LittleEndian.AppendUint16(dst, uint16(len(samples)))
	for _, s := range samples {
		dst = binary.LittleEndian.AppendUint16(dst, uint16(s))
	}
	return dst
}

// parseSegment decodes a decrypted segment. It checks the header against the
// expected recording id and segment number and calls fn for every frame
// (fn must not keep f.Samples).
func parseSegment(b []byte, recID [16]byte, seg uint32, fn func(f Frame) error) error {
	if len(b) < segHeaderSize || !bytes.Equal(b[:len(segMagic)], []byte(segMagic)) {
		return fmt.Errorf("%w: no segment header", ErrBadFrame)
	}
	p := len(segMagic)
	if !bytes.Equal(b[p:p+16], recID[:]) {
		return fmt.Errorf("%w: segment belongs to another recording", ErrTampered)
	}
	p += 16
	if got := binary.LittleEndian.Uint32(b[p:]); got != seg {
		return fmt.Errorf("%w: segment %d holds segment number %d (files swapped)", ErrTampered, seg, got)
	}
	b = b[segHeaderSize:]
	samples := make([]int16, maxFrameSamples)
	for len(b) > 0 {
		if len(b) < frameHdrSize {
			return fmt.Errorf("%w: short frame header", ErrBadFrame)
		}
		ch := Channel(b[0])
		if ch != ChannelAgent && ch != ChannelCustomer {
			return fmt.Errorf("%w: unknown channel %d", ErrBadFrame, b[0])
		}
		pos := binary.LittleEndian.Uint64(b[1:])
		n := int(binary.LittleEndian.Uint16(b[9:]))
		if n == 0 || n > maxFrameSamples {
			return fmt.Errorf("%w: frame of %d samples", ErrBadFrame, n)
		}
		if pos > 1<<40 {
			return fmt.Errorf("%w: sample position out of range", ErrBadFrame)
		}
		b = b[frameHdrSize:]
		if len(b) < 2*n {
			return fmt.Errorf("%w: short frame", ErrBadFrame)
		}
		for i := 0; i < n; i++ {
			samples[i] = int16(binary.LittleEndian.Uint16(b[2*i:]))
		}
		b = b[2*n:]
		if err := fn(Frame{Channel: ch, Pos: pos, Samples: samples[:n]}); err != nil {
			return err
		}
	}
	return nil
}
