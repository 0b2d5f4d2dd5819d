package recording

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"filippo.io/age"
)

// Reader decrypts one recording for playback or export.
type Reader struct {
	meta  Meta
	id    *age.X25519Identity
	dir   string
	recID [16]byte
	src   SegmentSource // nil: the segment files in dir
}

// Open unwraps a recording's key with the supervisor's identities (from the
// identity file they supply) after checking the role and the index entry's
// integrity. The access is audited as playback or export before any audio
// is decrypted; if the audit entry cannot be written, Open fails.
func (s *Store) Open(actor string, role Role, id string, purpose Purpose, ids ...age.Identity) (*Reader, error) {
	perm, act := PermPlayback, actPlay
	if purpose == PurposeExport {
		perm, act = PermExport, actExport
	}
	if !role.Can(perm) {
		return nil, ErrPermission
	}
	rd, err := s.reader(id, ids)
	if err != nil {
		return nil, err
	}
	if err := s.audit(act, actor, map[string]string{"recording": id}); err != nil {
		return nil, err
	}
	return rd, nil
}

func (s *Store) reader(id string, ids []age.Identity) (*Reader, error) {
	s.mu.Lock()
	r, err := getRow(s.db, s.macKey, id)
	_, live := s.active[id]
	s.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", id, err)
	}
	switch {
	case r.meta.Status == StatusDeleted:
		return nil, fmt.Errorf("open %s: %w", id, ErrDeleted)
	case r.meta.Status == StatusActive || live:
		return nil, fmt.Errorf("open %s: %w", id, ErrActive)
	}
	key, err := unwrapKey(r.wrapped, ids)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", id, err)
	}
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != 16 {
		return nil, fmt.Errorf("open %s: %w", id, ErrTampered)
	}
	rd := &Reader{meta: r.meta, id: key, dir: s.recDir(id)}
	copy(rd.recID[:], raw)
	return rd, nil
}

// Meta returns the recording's index entry.
func (rd *Reader) Meta() Meta { return rd.meta }

// Frames decrypts every segment in order and calls fn for each frame
// (fn must not keep f.Samples). Any authentication failure, missing or
// swapped segment yields ErrTampered naming the segment.
func (rd *Reader) Frames(fn func(Frame) error) error {
	for n := 1; n <= rd.meta.Segments; n++ {
		if err := rd.segment(n, fn); err != nil {
			return err
		}
	}
	// A segment beyond the recorded count means files were added or the count was cut.
	if rd.src != nil {
		return nil // the source's own index (a central manifest) fixes the count
	}
	if _, err := os.Stat(filepath.Join(rd.dir, segName(rd.meta.Segments+1))); err == nil {
		return fmt.Errorf("%w: unexpected segment %d after the last one", ErrTampered, rd.meta.Segments+1)
	}
	return nil
}

func (rd *Reader) segment(n int, fn func(Frame) error) error {
	var (
		f   io.ReadCloser
		err error
	)
	if rd.src != nil {
		f, err = rd.src(n)
	} else {
		f, err = os.Open(filepath.Join(rd.dir, segName(n)))
	}
	if err != nil {
		return fmt.Errorf("%w: segment %d missing", ErrTampered, n)
	}
	defer f.Close()
	plain, err := age.Decrypt(f, rd.id)
	if err != nil {
		return fmt.Errorf("%w: segment %d: %v", ErrTampered, n, err)
	}
	b, err := io.ReadAll(io.LimitReader(plain, 4*segMaxPlain))
	if err != nil {
		return fmt.Errorf("%w: segment %d: %v", ErrTampered, n, err)
	}
	if err := parseSegment(b, rd.recID, uint32(n), fn); err != nil {
		return fmt.Errorf("segment %d: %w", n, err)
	}
	return nil
}

// WriteWAV writes the recording as a 16-bit 8 kHz stereo WAV (left agent,
// right customer). Paused stretches are silence. It decrypts twice (once to
// verify and size, once to write) so memory stays bounded; nothing is
// written to w unless the whole recording verified.
func (rd *Reader) WriteWAV(w io.Writer) error {
	var (
		origin, end uint64
		seen        bool
	)
	err := rd.Frames(func(f Frame) error {
		e := f.Pos + uint64(len(f.Samples))
		if !seen || f.Pos < origin {
			origin = f.Pos
		}
		if e > end {
			end = e
		}
		seen = true
		return nil
	})
	if err != nil {
		return err
	}
	if !seen {
		return writeWAVHeader(w, 0)
	}
	if err := writeWAVHeader(w, end-origin); err != nil {
		return err
	}
	iv := newInterleaver(w, origin)
	if err := rd.Frames(iv.put); err != nil {
		return err
	}
	return iv.finish(end)
}

// Problem is one integrity finding of Store.Verify.
type Problem struct {
	Recording string // id, or a directory name for orphans
	Err       error  // wraps ErrTampered, ErrWrongKey, …
}

// String returns the problem as shown to users and in JSON output.
func (p Problem) String() string { return p.Recording + ": " + p.Err.Error() }

var idRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Verify checks every recording: the index MACs, the segment files and,
// with identities, the decryption of every segment. It returns the number of
// recordings checked and the findings.
func (s *Store) Verify(actor string, role Role, ids ...age.Identity) (int, []Problem, error) {
	if !role.Can(PermVerify) {
		return 0, nil, ErrPermission
	}
	s.mu.Lock()
	rows, err := allRows(s.db, s.macKey, "")
	live := make(map[string]bool, len(s.active))
	for id := range s.active {
		live[id] = true
	}
	s.mu.Unlock()
	if err != nil {
		return 0, nil, err
	}
	var probs []Problem
	known := map[string]bool{}
	for _, r := range rows {
		m := r.meta
		known[m.ID] = true
		if m.Tampered {
			probs = append(probs, Problem{m.ID, fmt.Errorf("%w: index entry does not match its MAC", ErrTampered)})
			continue
		}
		dir := s.recDir(m.ID)
		switch {
		case m.Status == StatusDeleted:
			if _, err := os.Stat(dir); err == nil {
				probs = append(probs, Problem{m.ID, errors.New("files left after deletion (key is destroyed)")})
			}
			continue
		case m.Status == StatusActive || live[m.ID]:
			continue
		}
		if n, _ := countSegments(dir); n != m.Segments {
			probs = append(probs, Problem{m.ID, fmt.Errorf("%w: %d segment files, index records %d", ErrTampered, n, m.Segments)})
			continue
		}
		if len(ids) == 0 {
			continue
		}
		rd, err := s.reader(m.ID, ids)
		if err == nil {
			err = rd.Frames(func(Frame) error { return nil })
		}
		if err != nil {
			probs = append(probs, Problem{m.ID, err})
		}
	}
	ents, _ := os.ReadDir(s.cfg.Dir)
	for _, e := range ents {
		if e.IsDir() && idRe.MatchString(e.Name()) && !known[e.Name()] {
			probs = append(probs, Problem{e.Name(), fmt.Errorf("%w: recording files without an index entry", ErrTampered)})
		}
	}
	return len(rows), probs, nil
}

// IsWrongKey reports whether every finding is a key mismatch (the
// supervisor used the wrong identity file).
func IsWrongKey(probs []Problem) bool {
	if len(probs) == 0 {
		return false
	}
	for _, p := range probs {
		if !errors.Is(p.Err, ErrWrongKey) {
			return false
		}
	}
	return true
}
