// Package wav writes the RIFF/WAVE header of 16-bit PCM audio. It is pure
// Go so both the device package (test and automation files) and the
// recording package (decrypted exports) can use it.
package wav

import (
	"encoding/binary"
	"math"
)

// HeaderSize is the size of the header Header returns.
const HeaderSize = 44

// Header returns the 44-byte header of a 16-bit PCM WAV file holding frames
// sample frames of channels interleaved channels at rate Hz. A length that
// does not fit the format's 32-bit size fields is capped.
func Header(frames uint64, rate, channels int) []byte {
	block := uint64(2 * channels)
	data := uint32(min(frames*block, math.MaxUint32-36))
	h := make([]byte, HeaderSize)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], 36+data)
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1) // PCM
	binary.LittleEndian.PutUint16(h[22:], uint16(channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(rate)*uint32(block))
	binary.LittleEndian.PutUint16(h[32:], uint16(block))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], data)
	return h
}
