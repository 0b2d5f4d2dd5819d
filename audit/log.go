package audit

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"softphone/internal/filelock"
)

// Option configures a Log or Verify.
type Option func(*options)

type options struct {
	key       []byte
	crashTail bool
	now       func() time.Time
	logger    *slog.Logger
}

// WithAnchorKey authenticates the anchor with HMAC-SHA256 under key (kept in
// the OS keyring, never next to the log).
func WithAnchorKey(key []byte) Option {
	return func(o *options) { o.key = append([]byte(nil), key...) }
}

// WithCrashTail makes Verify accept one entry written after the anchor
// (a crash between the two writes). Without it such an entry, and every
// crash tail adopted by Open, is a problem: a forger appends the same way.
func WithCrashTail() Option { return func(o *options) { o.crashTail = true } }

// WithClock replaces time.Now (tests).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithLogger sets the parent logger; the log adds component=audit.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

func buildOptions(opts []Option) options {
	o := options{now: time.Now, logger: slog.Default()}
	for _, f := range opts {
		f(&o)
	}
	o.logger = o.logger.With("component", "audit")
	return o
}

// Log is an open audit log. It is safe for concurrent use.
type Log struct {
	path string
	opts options

	mu     sync.Mutex // guards everything below; held across write+fsync so entries stay ordered
	f      *os.File
	seq    uint64
	head   string
	size   int64 // file size after our last write or read; another process appended if it differs
	closed bool
}

// Open opens (creating if needed, mode 0600) the audit log at path for appending.
//
// If the existing log does not match its anchor (tail cut off, anchor
// forged), Open still opens it — the softphone must keep auditing — but first
// appends an ActionTamper entry that says what was found, so the finding
// stays in the chain.
func Open(path string, opts ...Option) (*Log, error) {
	o := buildOptions(opts)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	l := &Log{path: path, opts: o, f: f, head: GenesisHash}
	if err := filelock.Lock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock audit log: %w", err)
	}
	partial, err := l.loadTail()
	if err == nil && partial {
		// A crash mid-write left a line without newline: end it so the next
		// entry starts on its own line (Verify reports the broken line).
		if _, err = f.Write([]byte("\n")); err == nil {
			l.size++
		}
	}
	finding, tail := "", false
	if err == nil {
		finding, tail = l.checkAnchor()
	}
	filelock.Unlock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if finding != "" {
		o.logger.Warn("audit log does not match its anchor", "finding", finding)
		if err := l.Record(ActionTamper, "system:audit", map[string]string{"finding": finding}); err != nil {
			f.Close()
			return nil, err
		}
	}
	if tail {
		// Adopted, but said so in the chain: Verify reports it unless
		// --allow-crash-tail, as it would the bare tail.
		o.logger.Warn("audit log: one entry after the anchor (crash between the two writes?)")
		if err := l.Record(ActionCrashTail, "system:audit", map[string]string{"seq": strconv.FormatUint(l.seq, 10)}); err != nil {
			f.Close()
			return nil, err
		}
	}
	return l, nil
}

// loadTail finds the last well-formed entry; it reports whether the file
// ends in a partial line.
func (l *Log) loadTail() (partial bool, err error) {
	if _, err := l.f.Seek(0, io.SeekStart); err != nil {
		return false, err
	}
	r := bufio.NewReaderSize(l.f, 64*1024)
	for {
		b, err := r.ReadBytes('\n')
		if len(b) > 0 {
			partial = b[len(b)-1] != '\n'
			if e, perr := ParseEntry(b); perr == nil && e.Seq > l.seq {
				l.seq, l.head = e.Seq, e.Hash
			}
		}
		if errors.Is(err, io.EOF) {
			fi, err := l.f.Stat()
			if err != nil {
				return false, fmt.Errorf("read audit log: %w", err)
			}
			l.size = fi.Size()
			return partial, nil
		}
		if err != nil {
			return false, fmt.Errorf("read audit log: %w", err)
		}
	}
}

// checkAnchor compares the anchor with the loaded tail; "" means fine.
// tail reports exactly one entry after the anchor.
func (l *Log) checkAnchor() (finding string, tail bool) {
	a, err := readAnchor(AnchorPath(l.path))
	if errors.Is(err, os.ErrNotExist) {
		if l.seq > 0 {
			return "anchor missing for a non-empty log", false
		}
		return "", false
	}
	if err != nil {
		return "anchor unreadable", false
	}
	if len(l.opts.key) > 0 && !a.validMAC(l.opts.key) {
		return "anchor MAC invalid (forged or written with another key)", false
	}
	switch {
	case a.Count > l.seq:
		return "log shorter than anchor: anchor has " + strconv.FormatUint(a.Count, 10) +
			" entries, log has " + strconv.FormatUint(l.seq, 10), false
	case a.Count == l.seq && a.Head != l.head:
		return "last entry differs from anchor", false
	case a.Count+1 < l.seq:
		return "anchor behind the log by more than one entry", false
	case a.Count+1 == l.seq:
		return "", true
	}
	return "", false
}

// Record appends one entry and fsyncs it. attrs are copied; they must never
// hold audio or unmasked personal data.
func (l *Log) Record(action, actor string, attrs map[string]string) error {
	if action == "" {
		return ErrEmptyAction
	}
	if actor == "" {
		return ErrEmptyActor
	}
	var cp map[string]string
	if len(attrs) > 0 {
		cp = make(map[string]string, len(attrs))
		for k, v := range attrs {
			if len(v) > MaxAttrLen || len(k) > MaxAttrLen {
				return fmt.Errorf("%w: %q", ErrAttrTooLong, k)
			}
			cp[k] = v
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	// Another process (desktop and headless command) may append to the same
	// file: hold its lock and re-read the tail if it grew behind our back.
	if err := filelock.Lock(l.f); err != nil {
		return fmt.Errorf("lock audit log: %w", err)
	}
	defer filelock.Unlock(l.f)
	if fi, err := l.f.Stat(); err != nil {
		return fmt.Errorf("audit log: %w", err)
	} else if fi.Size() != l.size {
		if _, err := l.loadTail(); err != nil {
			return err
		}
	}
	e := Entry{Seq: l.seq + 1, Time: l.opts.now().UTC(), Actor: actor, Action: action, Attrs: cp, Prev: l.head}
	h, err := e.ComputeHash()
	if err != nil {
		return fmt.Errorf("audit entry: %w", err)
	}
	e.Hash = h
	b, err := e.MarshalLine()
	if err != nil {
		return fmt.Errorf("audit entry: %w", err)
	}
	b = append(b, '\n')
	// One write per entry: with O_APPEND the line lands whole at the end.
	if _, err := l.f.Write(b); err != nil {
		l.size = -1 // force a re-read next time
		return fmt.Errorf("write audit entry: %w", err)
	}
	if err := l.f.Sync(); err != nil {
		l.size = -1
		return fmt.Errorf("sync audit log: %w", err)
	}
	l.seq, l.head = e.Seq, e.Hash
	l.size += int64(len(b))
	if err := writeAnchor(AnchorPath(l.path), newAnchor(l.opts.key, l.seq, l.head)); err != nil {
		return fmt.Errorf("write audit anchor: %w", err)
	}
	return nil
}

// Head returns the number of entries and the hash of the last one.
func (l *Log) Head() (count uint64, hash string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq, l.head
}

// Path returns the log file's path.
func (l *Log) Path() string { return l.path }

// Close closes the file. It is idempotent.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	return l.f.Close()
}

// DefaultPath is the audit log in the user's configuration directory.
func DefaultPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(dir, "softphone", "audit.log"), nil
}
