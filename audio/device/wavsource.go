package device

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"softphone/audio/resample"
)

// WAVSource plays a WAV file as an audio.Source: 8 kHz mono frames, looping or ending with
// io.EOF. It streams the file (a few kilobytes of buffer, like baresip's aufile) instead of
// loading it: a long announcement costs no memory, and the source holds the file open until
// Close.
type WAVSource struct {
	mu     sync.Mutex
	f      *os.File
	r      *bufio.Reader
	format Format
	start  int64 // file offset of the first sample byte
	size   int64 // bytes of sample data (at most)
	left   int64 // sample bytes left in this pass
	loop   bool
	got    bool // this pass has yielded samples (a looping file of no samples ends)
	conv   *resample.Converter
	raw    []byte  // bytes read for one Read
	mono   []int16 // raw mixed down, at the file's rate
	out    []int16 // 8 kHz samples converted but not handed out yet
	closed bool
}

// OpenWAV opens a WAV file (8/16/48 kHz, mono/stereo, 16-bit PCM) for playing as a Source.
// Close it when done.
func OpenWAV(path string, loop bool) (*WAVSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	s := &WAVSource{f: f, r: bufio.NewReaderSize(f, 4096), loop: loop}
	var hdr int
	s.format, s.size, err = readWAVHeader(countingReader{s.r, &hdr})
	if err == nil {
		s.conv, err = resample.New(s.format.SampleRate, SampleRate)
	}
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s.start, s.left = int64(hdr), s.size
	return s, nil
}

// Format is the file's own format (before the conversion to 8 kHz mono).
func (s *WAVSource) Format() Format { return s.format }

// Read copies the next samples into frame. At the end it returns io.EOF, or starts over when
// looping. It allocates nothing once the first frame of a size has been read.
func (s *WAVSource) Read(frame []int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	for len(s.out) < len(frame) {
		more, err := s.fill(len(frame) - len(s.out))
		if err != nil {
			return 0, err
		}
		if !more {
			break
		}
	}
	n := copy(frame, s.out)
	s.out = s.out[:copy(s.out, s.out[n:])]
	if n == 0 {
		return 0, io.EOF
	}
	clear(frame[n:])
	return n, nil
}

// fill converts the file's samples for about want more output samples into s.out; false when
// the file has ended (and does not loop).
func (s *WAVSource) fill(want int) (bool, error) {
	if s.left < int64(s.blockAlign()) && !s.rewind() {
		return false, nil
	}
	ratio := s.format.SampleRate / SampleRate
	n := min(int64(want*ratio*s.blockAlign()), s.left)
	if cap(s.raw) < int(n) {
		s.raw = make([]byte, n)
	}
	raw := s.raw[:n]
	got, err := io.ReadFull(s.r, raw)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		s.left = 0 // the data chunk is shorter than its header says
	case err != nil:
		return false, fmt.Errorf("read WAV: %w", err)
	default:
		s.left -= int64(got)
	}
	s.mono = appendMono(s.mono[:0], raw[:got], s.format.Channels)
	s.out = s.conv.Process(s.out, s.mono)
	s.got = s.got || len(s.mono) > 0
	return true, nil
}

// rewind starts the next pass of a looping source; false at the end of one that does not loop,
// or of a file without samples.
func (s *WAVSource) rewind() bool {
	if !s.loop || !s.got {
		return false
	}
	if _, err := s.f.Seek(s.start, io.SeekStart); err != nil {
		return false
	}
	s.r.Reset(s.f)
	s.left, s.got = s.size, false
	return true
}

// blockAlign is the size of one sample frame of the file.
func (s *WAVSource) blockAlign() int { return 2 * s.format.Channels }

// Close closes the file. It is idempotent; Read after Close returns ErrClosed.
func (s *WAVSource) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.f.Close()
}

// countingReader counts the bytes read through it (the header's length).
type countingReader struct {
	r io.Reader
	n *int
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += n
	return n, err
}

// PCMSource plays 8 kHz mono samples held in memory as a Source.
type PCMSource struct {
	mu   sync.Mutex
	pcm  []int16
	pos  int
	loop bool
}

// NewPCMSource plays 8 kHz mono samples as a Source, looping or ending with io.EOF.
func NewPCMSource(pcm []int16, loop bool) *PCMSource {
	return &PCMSource{pcm: pcm, loop: loop}
}

// Read copies the next samples into frame. At the end it returns io.EOF, or starts over when looping.
func (s *PCMSource) Read(frame []int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pcm) == 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(frame) {
		if s.pos >= len(s.pcm) {
			if !s.loop {
				break
			}
			s.pos = 0
		}
		c := copy(frame[n:], s.pcm[s.pos:])
		n += c
		s.pos += c
	}
	if n == 0 {
		return 0, io.EOF
	}
	clear(frame[n:])
	return n, nil
}
