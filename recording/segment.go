package recording

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"filippo.io/age"

	"softphone/internal/safefile"
)

// segMaxPlain keeps a segment's plaintext below one age chunk (64 KiB), so
// the whole segment is encrypted and written when it is sealed.
const segMaxPlain = 48 * 1024

// segment is one age file being written. Only the writer goroutine uses it.
type segment struct {
	f      *os.File
	w      io.WriteCloser
	tmp    string
	final  string
	dir    string
	plain  int
	opened time.Time
	buf    []byte
}

func openSegment(dir string, n int, recID [16]byte, rcpt age.Recipient, wrap func(io.Writer) io.Writer) (*segment, error) {
	final := filepath.Join(dir, segName(n))
	tmp := final + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create segment: %w", err)
	}
	var dst io.Writer = f
	if wrap != nil {
		dst = wrap(f)
	}
	w, err := age.Encrypt(dst, rcpt)
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("encrypt segment: %w", err)
	}
	s := &segment{f: f, w: w, tmp: tmp, final: final, dir: dir, opened: time.Now(), buf: make([]byte, 0, frameHdrSize+2*maxFrameSamples)}
	hdr := appendSegHeader(nil, recID, uint32(n))
	if _, err := w.Write(hdr); err != nil {
		s.abort()
		return nil, err
	}
	s.plain = len(hdr)
	return s, nil
}

func (s *segment) write(ch Channel, pos uint64, samples []int16) error {
	s.buf = appendFrame(s.buf[:0], ch, pos, samples)
	_, err := s.w.Write(s.buf)
	s.plain += len(s.buf)
	return err
}

// seal finishes the age stream, fsyncs the file, renames it into place and
// fsyncs the directory, so the segment survives a crash once seal returns.
func (s *segment) seal() error {
	if err := s.w.Close(); err != nil {
		s.abort()
		return fmt.Errorf("seal segment: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		s.abort()
		return fmt.Errorf("sync segment: %w", err)
	}
	if err := s.f.Close(); err != nil {
		os.Remove(s.tmp)
		return fmt.Errorf("close segment: %w", err)
	}
	if err := safefile.Rename(s.tmp, s.final); err != nil {
		os.Remove(s.tmp)
		return fmt.Errorf("rename segment: %w", err)
	}
	return syncDir(s.dir)
}

// abort drops an unsealed segment (its file holds ciphertext only).
func (s *segment) abort() {
	s.f.Close()
	os.Remove(s.tmp)
}

// isDiskFull reports whether err means no space or the file size limit.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EFBIG) || errors.Is(err, ErrDiskFull)
}
