package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// GenesisHash is the prev hash of the first entry.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// MaxAttrLen is the longest attribute value Record accepts (bytes).
const MaxAttrLen = 1024

// timeLayout is the fixed time format of entries (UTC, nanoseconds, fixed width).
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// Entry is one audit record.
type Entry struct {
	Seq    uint64            // 1, 2, 3 … without gaps
	Time   time.Time         // when it was recorded (UTC)
	Actor  string            // who did it: a profile name or "system:…"
	Action string            // what happened, e.g. ActionExport
	Attrs  map[string]string // details; never audio or unmasked personal data
	Prev   string            // hash of the previous entry (GenesisHash for seq 1)
	Hash   string            // SHA-256 over the canonical JSON of the fields above
}

// body is the canonical form hashed: declaration order is the JSON field order.
type body struct {
	Seq    uint64            `json:"seq"`
	Time   string            `json:"time"`
	Actor  string            `json:"actor"`
	Action string            `json:"action"`
	Attrs  map[string]string `json:"attrs,omitempty"`
	Prev   string            `json:"prev"`
}

// line is the stored form.
type line struct {
	Seq    uint64            `json:"seq"`
	Time   string            `json:"time"`
	Actor  string            `json:"actor"`
	Action string            `json:"action"`
	Attrs  map[string]string `json:"attrs,omitempty"`
	Prev   string            `json:"prev"`
	Hash   string            `json:"hash"`
}

// canonical returns the bytes the hash is computed over.
func (e Entry) canonical() ([]byte, error) {
	attrs := e.Attrs
	if len(attrs) == 0 {
		attrs = nil
	}
	return json.Marshal(body{
		Seq: e.Seq, Time: e.Time.UTC().Format(timeLayout), Actor: e.Actor,
		Action: e.Action, Attrs: attrs, Prev: e.Prev,
	})
}

// ComputeHash returns the hex SHA-256 of the entry's canonical JSON.
func (e Entry) ComputeHash() (string, error) {
	b, err := e.canonical()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// MarshalLine returns the stored JSON line of e, without the newline.
func (e Entry) MarshalLine() ([]byte, error) {
	attrs := e.Attrs
	if len(attrs) == 0 {
		attrs = nil
	}
	return json.Marshal(line{
		Seq: e.Seq, Time: e.Time.UTC().Format(timeLayout), Actor: e.Actor,
		Action: e.Action, Attrs: attrs, Prev: e.Prev, Hash: e.Hash,
	})
}

// ParseEntry reads one stored line. It checks the form, not the hash.
func ParseEntry(b []byte) (Entry, error) {
	b = bytes.TrimRight(b, "\r\n")
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var l line
	if err := dec.Decode(&l); err != nil {
		return Entry{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if dec.More() {
		return Entry{}, fmt.Errorf("%w: trailing data", ErrMalformed)
	}
	t, err := time.Parse(timeLayout, l.Time)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: time: %v", ErrMalformed, err)
	}
	if l.Seq == 0 || l.Action == "" || l.Actor == "" {
		return Entry{}, fmt.Errorf("%w: seq, actor and action are required", ErrMalformed)
	}
	if !isHexHash(l.Prev) || !isHexHash(l.Hash) {
		return Entry{}, fmt.Errorf("%w: prev and hash must be 64 hex digits", ErrMalformed)
	}
	return Entry{Seq: l.Seq, Time: t, Actor: l.Actor, Action: l.Action, Attrs: l.Attrs, Prev: l.Prev, Hash: l.Hash}, nil
}

func isHexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	return strings.IndexFunc(s, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f')
	}) < 0
}
