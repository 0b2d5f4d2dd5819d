package recording

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"filippo.io/age"

	"softphone/internal/filelock"
)

// Auditor receives audit events; *audit.Log implements it.
type Auditor interface {
	Record(action, actor string, attrs map[string]string) error
}

// Audit action names (the same strings as package audit's Action constants;
// kept here so recording does not depend on audit).
const (
	actStart   = "recording.start"
	actPause   = "recording.pause"
	actResume  = "recording.resume"
	actStop    = "recording.stop"
	actFail    = "recording.failed"
	actToggle  = "recording.toggle"
	actConsent = "recording.consent"
	actOptOut  = "recording.opt_out"
	actFlag    = "recording.flag"
	actDelete  = "recording.delete"
	actHold    = "recording.hold"
	actRelease = "recording.release"
	actRetain  = "recording.retention"
	actPlay    = "recording.playback"
	actExport  = "recording.export"
	actPolicy  = "policy.change"
)

// Config is what a Store needs.
type Config struct {
	// Dir holds index.db and one directory of encrypted segments per recording.
	Dir string
	// Recipients are the organisation's age public keys; every recording key is wrapped to all of them.
	Recipients []age.Recipient
	// RetentionDays is how long a recording is kept (≥ 1; 0 means 90).
	RetentionDays int
	// Policy is the default policy unless a supervisor changed it (stored in the index).
	Policy Policy
	// Auditor gets every recording event. Nil discards them (tests only).
	Auditor Auditor
	// Clock returns the time for metadata and retention; nil means time.Now.
	Clock func() time.Time
	// PseudonymKey is the local secret (from the keyring) for customer
	// pseudonyms and index MACs; at least 16 bytes.
	PseudonymKey []byte
	// AutoPausePayment makes Payment pause the recording while the CRM
	// reports a payment in progress.
	AutoPausePayment bool
	// AutoPauseDTMF makes PromptDTMF pause the recording while digits are keyed.
	AutoPauseDTMF bool
	// DTMFIdle ends a DTMF pause after this long without a digit (0 means 8 s).
	DTMFIdle time.Duration
	// SegmentDuration is the longest stretch of audio in one segment file
	// (0 means 1 s; at most 1 s so that a crash loses less than 2 s).
	SegmentDuration time.Duration
	// SweepInterval is how often expired recordings are deleted (0 means hourly,
	// negative disables the background sweeper; NewStore always sweeps once).
	SweepInterval time.Duration
	// Logger is the parent logger; the store adds component=recording.
	Logger *slog.Logger
	// OnClosed, if set, is told the id of every recording that stopped being
	// written (sealed, failed or opted out), e.g. to start its upload. It is
	// called on the recorder's closing path and must not block.
	OnClosed func(id string)
}

// CallMeta describes the call a recording belongs to.
type CallMeta struct {
	CallID    string
	Direction string // "incoming" or "outgoing"
	// Number is the customer's number (E.164). It is only used to compute the
	// pseudonym and is never stored or logged.
	Number  string
	Started time.Time
}

// Filter narrows List.
type Filter struct {
	FlaggedOnly    bool
	OnHoldOnly     bool
	IncludeDeleted bool
	CallID         string
}

// Purpose says why a recording is opened; each is audited as its own event.
type Purpose int

// Purposes.
const (
	PurposePlayback Purpose = iota + 1
	PurposeExport
)

// String returns the purpose as shown to users and in JSON output.
func (p Purpose) String() string {
	switch p {
	case PurposePlayback:
		return "playback"
	case PurposeExport:
		return "export"
	}
	return "unknown"
}

// Store is the set of recordings in one directory and their index.
type Store struct {
	cfg    Config
	db     *sql.DB
	macKey []byte
	pkey   []byte
	log    *slog.Logger

	// wrapFile wraps every segment file writer (tests inject write failures).
	wrapFile func(io.Writer) io.Writer

	mu     sync.Mutex // guards policy, active, closed; serialises index read-modify-write
	policy Policy
	active map[string]*Recorder
	closed bool

	stopSweep context.CancelFunc
	sweepDone chan struct{}
}

// NewStore opens (creating) the recording store, recovers recordings left
// active by a crash (marking them incomplete), sweeps expired recordings and
// starts the hourly sweeper.
func NewStore(cfg Config) (*Store, error) {
	if len(cfg.Recipients) == 0 {
		return nil, ErrNoRecipients
	}
	if len(cfg.PseudonymKey) < 16 {
		return nil, ErrNoPseudonymKey
	}
	if cfg.RetentionDays <= 0 {
		cfg.RetentionDays = 90
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.DTMFIdle <= 0 {
		cfg.DTMFIdle = 8 * time.Second
	}
	if cfg.SegmentDuration <= 0 || cfg.SegmentDuration > time.Second {
		cfg.SegmentDuration = time.Second
	}
	if cfg.SweepInterval == 0 {
		cfg.SweepInterval = time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("recording directory: %w", err)
	}
	db, err := openIndex(filepath.Join(cfg.Dir, "index.db"))
	if err != nil {
		return nil, err
	}
	s := &Store{
		cfg: cfg, db: db, log: cfg.Logger.With("component", "recording"),
		macKey: subKey(cfg.PseudonymKey, "index-mac"), pkey: cfg.PseudonymKey,
		policy: cfg.Policy, active: map[string]*Recorder{},
	}
	switch v, ok, err := getSetting(db, s.macKey, "policy"); {
	case errors.Is(err, ErrTampered):
		s.log.Warn("stored recording policy failed its integrity check; using the configured policy")
	case err != nil:
		db.Close()
		return nil, fmt.Errorf("read recording policy: %w", err)
	case ok:
		if p, err := ParsePolicy(v); err == nil {
			s.policy = p
		}
	}
	if err := s.recover(); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := s.Sweep(s.now()); err != nil {
		s.log.Warn("retention sweep failed", "err", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopSweep, s.sweepDone = cancel, make(chan struct{})
	go s.sweeper(ctx)
	return s, nil
}

func (s *Store) now() time.Time { return s.cfg.Clock().UTC() }

func (s *Store) audit(action, actor string, attrs map[string]string) error {
	if s.cfg.Auditor == nil {
		return nil
	}
	if err := s.cfg.Auditor.Record(action, actor, attrs); err != nil {
		s.log.Error("audit entry not written", "action", action, "err", err)
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

func (s *Store) sweeper(ctx context.Context) {
	defer close(s.sweepDone)
	if s.cfg.SweepInterval < 0 {
		return
	}
	t := time.NewTicker(s.cfg.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.Sweep(s.now()); err != nil {
				s.log.Warn("retention sweep failed", "err", err)
			} else if n > 0 {
				s.log.Info("retention sweep", "deleted", n)
			}
		}
	}
}

func (s *Store) recDir(id string) string { return filepath.Join(s.cfg.Dir, id) }

func segName(n int) string { return fmt.Sprintf("seg-%06d.age", n) }

// countSegments counts seg-000001.age … without gaps.
func countSegments(dir string) (n int, last time.Time) {
	for {
		fi, err := os.Stat(filepath.Join(dir, segName(n+1)))
		if err != nil {
			return n, last
		}
		n++
		last = fi.ModTime()
	}
}

// recover marks recordings left active by a crashed process incomplete.
// A recording whose lock is held belongs to a live process and is left alone.
func (s *Store) recover() error {
	rows, err := allRows(s.db, s.macKey, `WHERE status = ?`, int(StatusActive))
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.meta.Tampered {
			s.log.Warn("index entry failed its integrity check", "recording", r.meta.ID)
			continue
		}
		dir := s.recDir(r.meta.ID)
		lk, err := filelock.OpenTry(filepath.Join(dir, "lock"))
		if errors.Is(err, filelock.ErrLocked) {
			continue // live in another process
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("lock recording %s: %w", r.meta.ID, err)
		}
		tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp"))
		for _, t := range tmps {
			os.Remove(t) // ciphertext of a segment that was never sealed
		}
		n, last := countSegments(dir)
		m := r.meta
		m.Status, m.Reason, m.Segments = StatusIncomplete, "interrupted: the softphone stopped during the call", n
		m.Ended = m.Started
		if !last.IsZero() {
			m.Ended = last.UTC()
		}
		m.Duration = m.Ended.Sub(m.Started)
		if k := len(m.Pauses); k > 0 && m.Pauses[k-1].End.IsZero() {
			m.Pauses[k-1].End = m.Ended
		}
		s.mu.Lock()
		err = putRow(s.db, s.macKey, row{meta: m, wrapped: r.wrapped})
		s.mu.Unlock()
		lk.Close()
		if err != nil {
			return err
		}
		s.log.Warn("recovered interrupted recording", "recording", m.ID, "segments", n)
		s.audit(actStop, "system:recovery", map[string]string{"recording": m.ID, "status": m.Status.String(), "segments": strconv.Itoa(n)})
	}
	return nil
}

// Policy returns the current default policy.
func (s *Store) Policy() Policy {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.policy
}

// SetPolicy changes the default policy for new calls (supervisor, admin).
func (s *Store) SetPolicy(actor string, role Role, p Policy) error {
	if !role.Can(PermSetPolicy) {
		return ErrPermission
	}
	if p.String() == "unknown" {
		return ErrBadPolicy
	}
	s.mu.Lock()
	old := s.policy
	err := putSetting(s.db, s.macKey, "policy", p.String())
	if err == nil {
		s.policy = p
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("store recording policy: %w", err)
	}
	return s.audit(actPolicy, actor, map[string]string{"setting": "recording.policy", "old": old.String(), "new": p.String()})
}

// Start creates the recorder of a call. What it does follows the policy:
// with "on" it records at once, with "ask" it waits for Consent, with "off"
// it waits for a supervisor's SetRecording. ctx only bounds the start.
// If the recording cannot be created (disk full, index error) Start still
// returns a Recorder, in state NotRecording with the reason, so the call
// goes on and the agent sees it; an error is returned only when the store
// is closed or ctx is done.
func (s *Store) Start(ctx context.Context, call CallMeta, actor string) (*Recorder, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	policy := s.policy
	s.mu.Unlock()
	if call.Started.IsZero() {
		call.Started = s.now()
	}
	r := newRecorder(s, call, actor, policy)
	r.opMu.Lock()
	if err := r.applyLocked(actor); err != nil {
		// The call goes on; the recorder already reports NOT RECORDING with
		// the reason, which is what the agent must see.
		s.log.Error("recording did not start", "call", call.CallID, "err", err)
	}
	r.opMu.Unlock()
	r.kick()
	return r, nil
}

func (s *Store) register(id string, r *Recorder) {
	s.mu.Lock()
	s.active[id] = r
	s.mu.Unlock()
}

func (s *Store) unregister(id string) {
	s.mu.Lock()
	delete(s.active, id)
	s.mu.Unlock()
	if s.cfg.OnClosed != nil {
		s.cfg.OnClosed(id)
	}
}

func (s *Store) insert(r row) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return putRow(s.db, s.macKey, r)
}

// update applies fn to a row under the store lock. fn must not block.
func (s *Store) update(id string, fn func(m *Meta, wrapped *[]byte) error) (Meta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := getRow(s.db, s.macKey, id)
	if err != nil {
		return Meta{}, err
	}
	if err := fn(&r.meta, &r.wrapped); err != nil {
		return r.meta, err
	}
	return r.meta, putRow(s.db, s.macKey, r)
}

// Get returns one recording's index entry.
func (s *Store) Get(actor string, role Role, id string) (Meta, error) {
	s.mu.Lock()
	r, err := getRow(s.db, s.macKey, id)
	s.mu.Unlock()
	if err != nil && !errors.Is(err, ErrTampered) {
		return Meta{}, err
	}
	if !role.Can(PermListAll) && !(role.Can(PermListOwn) && r.meta.Owner == actor) {
		return Meta{}, ErrPermission
	}
	return r.meta, err
}

// List returns the recordings the actor may see: supervisors and admins see
// all, agents their own. Entries whose MAC fails are included with Tampered set.
func (s *Store) List(actor string, role Role, f Filter) ([]Meta, error) {
	if !role.Can(PermListAll) && !role.Can(PermListOwn) {
		return nil, ErrPermission
	}
	s.mu.Lock()
	rows, err := allRows(s.db, s.macKey, "")
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var out []Meta
	for _, r := range rows {
		m := r.meta
		switch {
		case !role.Can(PermListAll) && m.Owner != actor:
		case f.FlaggedOnly && !m.Flagged():
		case f.OnHoldOnly && !m.OnHold():
		case !f.IncludeDeleted && m.Status == StatusDeleted:
		case f.CallID != "" && m.CallID != f.CallID:
		default:
			out = append(out, m)
		}
	}
	return out, nil
}

// Flag marks a recording for review. Agents may flag their own recordings.
func (s *Store) Flag(actor string, role Role, id, reason string) error {
	if !role.Can(PermFlag) {
		return ErrPermission
	}
	return s.flag(actor, id, reason, !role.Can(PermListAll))
}

func (s *Store) flag(actor, id, reason string, ownOnly bool) error {
	if reason == "" {
		return ErrReasonRequired
	}
	_, err := s.update(id, func(m *Meta, _ *[]byte) error {
		if ownOnly && m.Owner != actor {
			return ErrPermission
		}
		if m.Status == StatusDeleted {
			return ErrDeleted
		}
		m.Flags = append(m.Flags, FlagEntry{By: actor, Reason: reason, At: s.now()})
		return nil
	})
	if err != nil {
		return fmt.Errorf("flag %s: %w", id, err)
	}
	return s.audit(actFlag, actor, map[string]string{"recording": id, "reason": reason})
}

// Hold puts a recording under legal hold (supervisor, admin): it cannot be
// deleted, by anyone or by retention, until released.
func (s *Store) Hold(actor string, role Role, id, reason string) error {
	return s.setHold(actor, role, id, reason, true)
}

// Release lifts a legal hold (supervisor, admin).
func (s *Store) Release(actor string, role Role, id, reason string) error {
	return s.setHold(actor, role, id, reason, false)
}

func (s *Store) setHold(actor string, role Role, id, reason string, on bool) error {
	if !role.Can(PermHold) {
		return ErrPermission
	}
	if reason == "" {
		return ErrReasonRequired
	}
	_, err := s.update(id, func(m *Meta, _ *[]byte) error {
		if m.Status == StatusDeleted {
			return ErrDeleted
		}
		if on {
			m.Hold = &HoldInfo{By: actor, Reason: reason, At: s.now()}
		} else {
			m.Hold = nil
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("hold %s: %w", id, err)
	}
	act := actHold
	if !on {
		act = actRelease
	}
	return s.audit(act, actor, map[string]string{"recording": id, "reason": reason})
}

// Delete crypto-shreds a recording (supervisor, admin): its wrapped key is
// destroyed, its files removed, its index entry reduced to a tombstone.
// Refused while under legal hold or while the call is still recording.
func (s *Store) Delete(actor string, role Role, id string) error {
	if !role.Can(PermDelete) {
		return ErrPermission
	}
	return s.shred(id, actor, "deleted by "+string(role), actDelete, false)
}

// shred destroys the key material first (so the audio is unreadable even if
// removing files fails), then the files.
func (s *Store) shred(id, actor, reason, action string, fromRecorder bool) error {
	s.mu.Lock()
	if _, live := s.active[id]; live && !fromRecorder {
		s.mu.Unlock()
		return fmt.Errorf("delete %s: %w", id, ErrActive)
	}
	r, err := getRow(s.db, s.macKey, id)
	if err == nil || errors.Is(err, ErrTampered) {
		switch {
		case r.meta.Status == StatusDeleted:
			err = ErrDeleted
		case r.meta.OnHold():
			err = ErrLegalHold
		case errors.Is(err, ErrTampered) && r.meta.Hold != nil:
			err = ErrLegalHold
		default:
			m := r.meta
			err = putRow(s.db, s.macKey, row{meta: Meta{
				ID: m.ID, CallID: m.CallID, Owner: m.Owner, Direction: m.Direction,
				Started: m.Started, Ended: m.Ended, Duration: m.Duration, RetainUntil: m.RetainUntil,
				Status: StatusDeleted, Deleted: &Deletion{By: actor, Reason: reason, At: s.now()},
			}})
			if err == nil {
				// Push the page without the key out of the WAL into the main file
				// (secure_delete zeroes the old content) and truncate the WAL.
				if _, cerr := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); cerr != nil {
					s.log.Warn("index checkpoint after delete failed", "err", cerr)
				}
			}
		}
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	rmErr := os.RemoveAll(s.recDir(id))
	aErr := s.audit(action, actor, map[string]string{"recording": id, "reason": reason})
	if rmErr != nil {
		rmErr = fmt.Errorf("remove files of %s (key already destroyed): %w", id, rmErr)
	}
	return errors.Join(rmErr, aErr)
}

// Sweep deletes every recording whose retention date is at or before now and
// which is not on hold or in progress. It returns how many it deleted.
func (s *Store) Sweep(now time.Time) (int, error) {
	s.mu.Lock()
	rows, err := allRows(s.db, s.macKey, `WHERE status IN (?, ?) AND hold = 0 AND retain_until <= ?`,
		int(StatusComplete), int(StatusIncomplete), now.UnixNano())
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, r := range rows {
		m := r.meta
		if m.Tampered || m.OnHold() || m.RetainUntil.After(now) {
			s.log.Warn("retention sweep skipped a recording that failed its integrity check", "recording", m.ID)
			continue
		}
		err := s.shred(m.ID, "system:retention", "retention period ended", actRetain, false)
		if err != nil {
			if !errors.Is(err, ErrLegalHold) && !errors.Is(err, ErrActive) {
				errs = append(errs, err)
			}
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

// Active returns the ids of recordings being written in this process.
func (s *Store) Active() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.active))
	for id := range s.active {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Close seals recordings still open, stops the sweeper and closes the
// index. It is idempotent.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	live := make([]*Recorder, 0, len(s.active))
	for _, r := range s.active {
		live = append(live, r)
	}
	s.mu.Unlock()
	var errs []error
	for _, r := range live {
		errs = append(errs, r.Close())
	}
	s.stopSweep()
	<-s.sweepDone
	errs = append(errs, s.db.Close())
	return errors.Join(errs...)
}

func newID() (string, [16]byte) {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:]), b
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		// Windows cannot fsync a directory (Access denied); NTFS journals
		// the rename itself.
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
