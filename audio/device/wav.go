package device

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"softphone/audio/resample"
	"softphone/audio/wav"
)

// maxWAVBytes bounds how much sample data we load (about 58 minutes of 48 kHz stereo).
const maxWAVBytes = 1 << 30

// Format describes a PCM WAV stream.
type Format struct {
	SampleRate int
	Channels   int
}

// DecodeWAV reads a 16-bit PCM WAV (RIFF, format 1 or WAVE_FORMAT_EXTENSIBLE PCM) of 8, 16 or
// 48 kHz, mono or stereo, and returns it converted to 8 kHz mono.
func DecodeWAV(r io.Reader) ([]int16, Format, error) {
	f, size, err := readWAVHeader(r)
	if err != nil {
		return nil, Format{}, err
	}
	raw, err := io.ReadAll(io.LimitReader(r, size))
	if err != nil {
		return nil, Format{}, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	pcm, err := convert(raw, f)
	if err != nil {
		return nil, Format{}, err
	}
	return pcm, f, nil
}

// readWAVHeader reads a WAV file up to the first byte of its sample data and returns its format
// and how many bytes of samples to read at most.
func readWAVHeader(r io.Reader) (Format, int64, error) {
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return Format{}, 0, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		return Format{}, 0, fmt.Errorf("%w: not a RIFF/WAVE file", ErrFormat)
	}
	var f Format
	haveFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			return Format{}, 0, fmt.Errorf("%w: no data chunk", ErrFormat)
		}
		size := int64(binary.LittleEndian.Uint32(ch[4:]))
		switch string(ch[0:4]) {
		case "fmt ":
			var err error
			if f, err = readFmtChunk(r, size); err != nil {
				return Format{}, 0, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return Format{}, 0, fmt.Errorf("%w: data before fmt", ErrFormat)
			}
			// Streaming writers leave the size at 0 or 0xFFFFFFFF: read to the end then.
			if size == 0 || size == 0xFFFFFFFF || size > maxWAVBytes {
				size = maxWAVBytes
			}
			return f, size, nil
		default:
			if size > maxWAVBytes {
				return Format{}, 0, fmt.Errorf("%w: chunk size", ErrFormat)
			}
			if _, err := io.CopyN(io.Discard, r, size+size&1); err != nil {
				return Format{}, 0, fmt.Errorf("%w: %w", ErrFormat, err)
			}
		}
	}
}

// readFmtChunk reads and checks the body of a fmt chunk of size bytes.
func readFmtChunk(r io.Reader, size int64) (Format, error) {
	var f Format
	if size < 16 || size > 1024 {
		return f, fmt.Errorf("%w: fmt chunk size", ErrFormat)
	}
	b := make([]byte, size+size&1)
	if _, err := io.ReadFull(r, b); err != nil {
		return f, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	tag := binary.LittleEndian.Uint16(b[0:])
	f.Channels = int(binary.LittleEndian.Uint16(b[2:]))
	f.SampleRate = int(binary.LittleEndian.Uint32(b[4:]))
	bits := binary.LittleEndian.Uint16(b[14:])
	if tag == 0xFFFE && size >= 40 { // WAVE_FORMAT_EXTENSIBLE: sub-format GUID starts with the tag
		tag = binary.LittleEndian.Uint16(b[24:])
	}
	if tag != 1 || bits != 16 {
		return f, fmt.Errorf("%w: only 16-bit PCM is supported", ErrFormat)
	}
	if f.Channels != 1 && f.Channels != 2 {
		return f, fmt.Errorf("%w: %d channels", ErrFormat, f.Channels)
	}
	if f.SampleRate != 8000 && f.SampleRate != 16000 && f.SampleRate != 48000 {
		return f, fmt.Errorf("%w: sample rate %d (want 8000, 16000 or 48000)", ErrFormat, f.SampleRate)
	}
	return f, nil
}

// convert turns interleaved little-endian PCM16 into 8 kHz mono, through the same converter as
// the streaming WAVSource.
func convert(raw []byte, f Format) ([]int16, error) {
	conv, err := resample.New(f.SampleRate, SampleRate)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return conv.Process(nil, appendMono(nil, raw, f.Channels)), nil
}

// appendMono appends the whole sample frames of interleaved little-endian PCM16 raw to dst,
// stereo mixed down.
func appendMono(dst []int16, raw []byte, channels int) []int16 {
	for i := 0; i+2*channels <= len(raw); i += 2 * channels {
		if channels == 2 {
			l := int32(int16(binary.LittleEndian.Uint16(raw[i:])))
			r := int32(int16(binary.LittleEndian.Uint16(raw[i+2:])))
			dst = append(dst, int16((l+r)/2))
		} else {
			dst = append(dst, int16(binary.LittleEndian.Uint16(raw[i:])))
		}
	}
	return dst
}

// WAVSink writes 8 kHz mono 16-bit PCM to a WAV file as an audio.Sink; Close fixes the header.
type WAVSink struct {
	mu      sync.Mutex
	f       *os.File
	w       *bufio.Writer
	samples int64
	closed  bool
	buf     []byte
}

// CreateWAV creates (or truncates) path for writing.
func CreateWAV(path string) (*WAVSink, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	s := &WAVSink{f: f, w: bufio.NewWriter(f)}
	if _, err := s.w.Write(wavHeader(0)); err != nil {
		_ = f.Close()
		return nil, err
	}
	return s, nil
}

func wavHeader(samples int64) []byte {
	return wav.Header(uint64(max(samples, 0)), SampleRate, 1)
}

// Write appends a frame.
func (s *WAVSink) Write(frame []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.buf = s.buf[:0]
	for _, x := range frame {
		s.buf = binary.LittleEndian.AppendUint16(s.buf, uint16(x))
	}
	if _, err := s.w.Write(s.buf); err != nil {
		return err
	}
	s.samples += int64(len(frame))
	return nil
}

// Close flushes, writes the final sizes into the header and closes the file. It is idempotent.
func (s *WAVSink) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.w.Flush()
	if err == nil {
		_, err = s.f.WriteAt(wavHeader(s.samples), 0)
	}
	return errors.Join(err, s.f.Close())
}
