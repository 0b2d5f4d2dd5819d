package recording

import (
	"bufio"
	"encoding/binary"
	"io"

	"softphone/audio/wav"
)

// SampleRate is the rate of recorded audio (mono per channel).
const SampleRate = 8000

// writeWAVHeader writes a 16-bit PCM, 2-channel (left agent, right customer) header
// for frames sample frames.
func writeWAVHeader(w io.Writer, frames uint64) error {
	_, err := w.Write(wav.Header(frames, SampleRate, 2))
	return err
}

// interleaver puts the frames of both channels on one time line and writes
// stereo samples in order. It holds a bounded window: frames older than what
// has been written are counted as late and dropped.
type interleaver struct {
	w     *bufio.Writer
	base  uint64     // time line position of ch[x][0]
	ch    [2][]int16 // pending samples per channel from base
	late  int
	total uint64 // sample frames written
}

// lagWindow is how far behind the newest frame output waits for the other channel.
const lagWindow = 2 * SampleRate

func newInterleaver(w io.Writer, origin uint64) *interleaver {
	return &interleaver{w: bufio.NewWriterSize(w, 64*1024), base: origin}
}

func (iv *interleaver) put(f Frame) error {
	c := 0
	if f.Channel == ChannelCustomer {
		c = 1
	}
	s := f.Samples
	pos := f.Pos
	if pos+uint64(len(s)) <= iv.base {
		iv.late++
		return nil
	}
	if pos < iv.base {
		s = s[iv.base-pos:]
		pos = iv.base
	}
	// Emit what is surely complete before growing the window over a long gap.
	if end := pos + uint64(len(s)); end > iv.base+2*lagWindow {
		if err := iv.emit(end - lagWindow); err != nil {
			return err
		}
		if pos < iv.base { // cannot happen: emit stops at end-lagWindow > pos only if frame is long
			s = s[iv.base-pos:]
			pos = iv.base
		}
	}
	off := int(pos - iv.base)
	if need := off + len(s); need > len(iv.ch[c]) {
		iv.ch[c] = append(iv.ch[c], make([]int16, need-len(iv.ch[c]))...)
	}
	copy(iv.ch[c][off:], s)
	return nil
}

// emit writes every sample frame before upto.
func (iv *interleaver) emit(upto uint64) error {
	if upto <= iv.base {
		return nil
	}
	n := upto - iv.base
	var buf [4096]byte
	for i := uint64(0); i < n; {
		k := 0
		for ; k+4 <= len(buf) && i < n; i++ {
			var a, b int16
			if i < uint64(len(iv.ch[0])) {
				a = iv.ch[0][i]
			}
			if i < uint64(len(iv.ch[1])) {
				b = iv.ch[1][i]
			}
			binary.LittleEndian.PutUint16(buf[k:], uint16(a))
			binary.LittleEndian.PutUint16(buf[k+2:], uint16(b))
			k += 4
		}
		if _, err := iv.w.Write(buf[:k]); err != nil {
			return err
		}
	}
	for c := range iv.ch {
		if uint64(len(iv.ch[c])) <= n {
			iv.ch[c] = iv.ch[c][:0]
		} else {
			iv.ch[c] = append(iv.ch[c][:0], iv.ch[c][n:]...)
		}
	}
	iv.base = upto
	iv.total += n
	return nil
}

// finish writes everything up to end and flushes.
func (iv *interleaver) finish(end uint64) error {
	if err := iv.emit(end); err != nil {
		return err
	}
	return iv.w.Flush()
}
