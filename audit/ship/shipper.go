package ship

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"softphone/audit"
	"softphone/internal/s3store"
	"softphone/internal/safefile"
)

// Putter stores one object and verifies it; *s3store.Bucket implements it.
type Putter interface {
	Put(ctx context.Context, key string, data []byte, lock s3store.Lock) (string, error)
}

// Config is what a Shipper needs.
type Config struct {
	// LogPath is the local audit log.
	LogPath string
	Store   Putter
	// StateDir keeps the shipper's state: the agent id and how far it shipped.
	StateDir string
	// MaxEntries bounds the entries in one object (0 means 1000).
	MaxEntries int
	// RetainDays puts COMPLIANCE retention of this many days on every object
	// (0: none; the bucket's default retention applies).
	RetainDays int
	Clock      func() time.Time
}

// state is persisted after every shipped object.
type state struct {
	Agent      string `json:"agent"`
	LastSeq    uint64 `json:"last_seq"`
	LastObject string `json:"last_object"` // hex SHA-256 of the last shipped object
}

// Shipper ships new audit entries. Ship may be called from any goroutine;
// calls are serialised.
type Shipper struct {
	cfg Config
	mu  sync.Mutex // serialises Ship; guards st
	st  state
}

// New loads (or creates, with a new random agent id) the shipper state.
func New(cfg Config) (*Shipper, error) {
	if cfg.LogPath == "" || cfg.Store == nil || cfg.StateDir == "" {
		return nil, errors.New("audit shipper needs a log, a store and a state directory")
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 1000
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	s := &Shipper{cfg: cfg}
	b, err := os.ReadFile(s.statePath())
	switch {
	case err == nil:
		if err := json.Unmarshal(b, &s.st); err != nil || !agentRe.MatchString(s.st.Agent) {
			return nil, fmt.Errorf("audit shipper state %s is damaged", s.statePath())
		}
	case errors.Is(err, os.ErrNotExist):
		var r [8]byte
		rand.Read(r[:])
		s.st.Agent = "a_" + hex.EncodeToString(r[:])
		if err := s.save(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("audit shipper state: %w", err)
	}
	return s, nil
}

// Agent returns this installation's pseudonymous id in central storage.
func (s *Shipper) Agent() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Agent
}

func (s *Shipper) statePath() string { return filepath.Join(s.cfg.StateDir, "audit-ship.json") }

func (s *Shipper) save() error {
	if err := os.MkdirAll(s.cfg.StateDir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(s.st)
	if err != nil {
		return err
	}
	if err := safefile.WriteFile(s.statePath(), b, 0o600); err != nil {
		return fmt.Errorf("audit shipper state: %w", err)
	}
	return nil
}

// Ship uploads every entry after the last shipped one, split by UTC day and
// MaxEntries, and returns how many entries it shipped. Malformed lines of
// the local log are left out (audit verify reports them locally; the
// central verifier sees the gap).
func (s *Shipper) Ship(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := s.newEntries()
	if err != nil {
		return 0, err
	}
	shipped := 0
	for len(entries) > 0 {
		day := entries[0].Time.UTC().Format(time.DateOnly)
		n := 1
		for n < len(entries) && n < s.cfg.MaxEntries && entries[n].Time.UTC().Format(time.DateOnly) == day {
			n++
		}
		chunk := entries[:n]
		h := header{Version: 1, Agent: s.st.Agent, Day: day, First: chunk[0].Seq, Last: chunk[n-1].Seq, PrevObject: s.st.LastObject}
		data, err := encode(h, chunk)
		if err != nil {
			return shipped, err
		}
		var lock s3store.Lock
		if s.cfg.RetainDays > 0 {
			lock = s3store.Lock{RetainUntil: s.cfg.Clock().AddDate(0, 0, s.cfg.RetainDays), Compliance: true}
		}
		if _, err := s.cfg.Store.Put(ctx, objectKey(s.st.Agent, day, h.First), data, lock); err != nil {
			return shipped, fmt.Errorf("ship audit entries %d–%d: %w", h.First, h.Last, err)
		}
		s.st.LastSeq, s.st.LastObject = h.Last, sum(data)
		if err := s.save(); err != nil {
			return shipped, err
		}
		shipped += n
		entries = entries[n:]
	}
	return shipped, nil
}

// newEntries reads the local log's well-formed entries after LastSeq.
func (s *Shipper) newEntries() ([]audit.Entry, error) {
	f, err := os.Open(s.cfg.LogPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var out []audit.Entry
	for sc.Scan() {
		e, err := audit.ParseEntry(sc.Bytes())
		if err != nil || e.Seq <= s.st.LastSeq {
			continue
		}
		out = append(out, e)
	}
	return out, sc.Err()
}
