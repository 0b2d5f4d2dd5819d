package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"softphone/internal/safefile"
)

// Anchor is the head of the log as last written: how many entries and the
// hash of the last one, optionally authenticated with an HMAC.
type Anchor struct {
	Count uint64 `json:"count"`
	Head  string `json:"head"`
	MAC   string `json:"mac,omitempty"` // hex HMAC-SHA256 under the anchor key; empty without a key
}

// AnchorPath is where the anchor of the log at path lives.
func AnchorPath(logPath string) string { return logPath + ".anchor" }

func anchorMAC(key []byte, count uint64, head string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("softphone-audit-anchor-v1\x00"))
	m.Write([]byte(strconv.FormatUint(count, 10)))
	m.Write([]byte{0})
	m.Write([]byte(head))
	return hex.EncodeToString(m.Sum(nil))
}

// newAnchor builds the anchor for count/head, signed when key is set.
func newAnchor(key []byte, count uint64, head string) Anchor {
	a := Anchor{Count: count, Head: head}
	if len(key) > 0 {
		a.MAC = anchorMAC(key, count, head)
	}
	return a
}

// validMAC reports whether the anchor's MAC matches under key.
func (a Anchor) validMAC(key []byte) bool {
	return hmac.Equal([]byte(a.MAC), []byte(anchorMAC(key, a.Count, a.Head)))
}

// readAnchor loads the anchor; a missing file yields os.ErrNotExist.
func readAnchor(path string) (Anchor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Anchor{}, err
	}
	var a Anchor
	if err := json.Unmarshal(b, &a); err != nil {
		return Anchor{}, fmt.Errorf("anchor %s: %w", filepath.Base(path), err)
	}
	return a, nil
}

// writeAnchor replaces the anchor atomically (temp file, fsync, rename).
func writeAnchor(path string, a Anchor) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".anchor-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return safefile.Rename(tmp.Name(), path)
}
