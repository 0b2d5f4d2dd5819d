package recording

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"filippo.io/age"
)

// actOffload is the audit action of removing the local copy after upload.
const actOffload = "recording.offload"

// SegmentSource returns the encrypted segment n (1-based) of a recording
// kept somewhere other than the local store, e.g. central storage.
type SegmentSource func(n int) (io.ReadCloser, error)

// Envelope returns what an uploader needs of one recording: its index entry
// and its wrapped key (encrypted to the organisation's recipients). An entry
// that fails its integrity check is refused with ErrTampered.
func (s *Store) Envelope(id string) (Meta, []byte, error) {
	s.mu.Lock()
	r, err := getRow(s.db, s.macKey, id)
	s.mu.Unlock()
	if err != nil {
		return Meta{}, nil, fmt.Errorf("recording %s: %w", id, err)
	}
	return r.meta, r.wrapped, nil
}

// SegmentPath returns the file of segment n (1-based) of a recording.
func (s *Store) SegmentPath(id string, n int) string {
	return filepath.Join(s.recDir(id), segName(n))
}

// Offload crypto-shreds the local copy of a recording after it was uploaded
// and verified in central storage. Like Delete it is refused while the
// recording is under (local) legal hold or still being written.
func (s *Store) Offload(id, actor string) error {
	return s.shred(id, actor, "uploaded to central storage", actOffload, false)
}

// NewReader opens a recording whose segments come from src (central
// storage): the wrapped key is unwrapped with ids and every segment is
// decrypted in memory. The caller audits the access.
func NewReader(meta Meta, wrapped []byte, src SegmentSource, ids ...age.Identity) (*Reader, error) {
	if src == nil {
		return nil, errors.New("recording reader: no segment source")
	}
	raw, err := hex.DecodeString(meta.ID)
	if err != nil || len(raw) != 16 {
		return nil, fmt.Errorf("open %s: %w", meta.ID, ErrTampered)
	}
	key, err := unwrapKey(wrapped, ids)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", meta.ID, err)
	}
	rd := &Reader{meta: meta, id: key, src: src}
	copy(rd.recID[:], raw)
	return rd, nil
}
