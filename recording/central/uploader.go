package central

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"filippo.io/age"

	"softphone/internal/s3store"
	"softphone/recording"
)

// uploadActor is the actor of the uploader's audit entries (local offload).
const uploadActor = "system:upload"

// Source is the local recording store as the uploader needs it;
// *recording.Store implements it.
type Source interface {
	List(actor string, role recording.Role, f recording.Filter) ([]recording.Meta, error)
	Envelope(id string) (recording.Meta, []byte, error)
	SegmentPath(id string, n int) string
	Offload(id, actor string) error
}

// Putter stores one object and verifies it; *s3store.Bucket implements it.
type Putter interface {
	Put(ctx context.Context, key string, data []byte, lock s3store.Lock) (string, error)
}

// UploaderConfig is what an Uploader needs.
type UploaderConfig struct {
	Source Source
	Store  Putter
	// QueueDir holds the persistent upload state (one small file per recording).
	QueueDir string
	// Recipients are the organisation's age public keys; manifests are encrypted to them.
	Recipients []age.Recipient
	// Agent is the pseudonymous id of this installation (see AgentID).
	Agent string
	// KeepDays keeps the local copy this many days after a verified upload;
	// 0 shreds it at once, a negative value never.
	KeepDays int
	// Compliance selects COMPLIANCE retention (nobody can shorten it) instead of GOVERNANCE.
	Compliance bool
	// PackSegments is how many one-second segments go into one object (0 means 60).
	PackSegments int
	// Interval is how often Run looks for new segments without a Kick (0 means 15 s).
	Interval time.Duration
	// RetryMin and RetryMax bound the back-off while the store fails (0 means 1 s and 5 min).
	RetryMin, RetryMax time.Duration
	// OnEvent receives progress; it must not block. Nil discards events.
	OnEvent func(Event)
	Logger  *slog.Logger
	Clock   func() time.Time
}

// Uploader moves sealed recordings to central storage. Run it on its own
// goroutine; Kick is safe from any goroutine and never blocks.
type Uploader struct {
	cfg  UploaderConfig
	q    *queue
	log  *slog.Logger
	kick chan struct{}
	buf  []byte // pack buffer, reused; only the Sync caller uses it

	mu  sync.Mutex // guards sum, written by Sync and read by Summary
	sum Summary
}

// NewUploader opens the queue directory.
func NewUploader(cfg UploaderConfig) (*Uploader, error) {
	if cfg.Source == nil || cfg.Store == nil || len(cfg.Recipients) == 0 || cfg.Agent == "" {
		return nil, fmt.Errorf("%w: uploader needs a source, a store, recipients and an agent id", ErrConfig)
	}
	if cfg.PackSegments <= 0 {
		cfg.PackSegments = 60
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 15 * time.Second
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 5 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	q, err := openQueue(cfg.QueueDir)
	if err != nil {
		return nil, err
	}
	return &Uploader{cfg: cfg, q: q, log: cfg.Logger.With("component", "upload"), kick: make(chan struct{}, 1)}, nil
}

// Kick asks Run to look for work now (a recording was sealed). It never blocks.
func (u *Uploader) Kick() {
	select {
	case u.kick <- struct{}{}:
	default:
	}
}

// Summary returns the state for the UI.
func (u *Uploader) Summary() Summary {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.sum
}

// Run uploads until ctx ends: a pass over all recordings on every Kick and
// every Interval, backing off exponentially (with jitter) while the store fails.
func (u *Uploader) Run(ctx context.Context) error {
	fails := 0
	for {
		wait := u.cfg.Interval
		if err := u.Sync(ctx); err != nil && ctx.Err() == nil {
			fails++
			wait = backoff(u.cfg.RetryMin, u.cfg.RetryMax, fails)
			u.setRetry(err, wait)
			u.log.Warn("upload failed; retrying", "in", wait.Round(time.Millisecond), "err", err)
		} else {
			fails = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-u.kick:
			t.Stop()
		case <-t.C:
		}
	}
}

// backoff is lo·2^(n-1), capped at hi, with ±20 % jitter.
func backoff(lo, hi time.Duration, n int) time.Duration {
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func (u *Uploader) setRetry(err error, wait time.Duration) {
	u.mu.Lock()
	u.sum.Retrying, u.sum.LastError, u.sum.NextTry = true, err.Error(), u.cfg.Clock().Add(wait)
	u.mu.Unlock()
}

func (u *Uploader) emit(e Event) {
	if u.cfg.OnEvent != nil {
		u.cfg.OnEvent(e)
	}
}

// Sync makes one pass: every sealed segment not yet uploaded goes up in
// packs, every sealed recording gets its manifest, and local copies past
// KeepDays are shredded. It stops at the first store error and returns it.
func (u *Uploader) Sync(ctx context.Context) error {
	metas, err := u.cfg.Source.List(uploadActor, recording.RoleSystem, recording.Filter{})
	if err != nil {
		return fmt.Errorf("list local recordings: %w", err)
	}
	pending := 0
	var first error
	for _, m := range metas {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		done, err := u.syncOne(ctx, m)
		if !done {
			pending++
		}
		if err != nil && first == nil {
			first = err
		}
		if err != nil {
			break // the store is failing: the next pass retries
		}
	}
	u.mu.Lock()
	u.sum.Pending = pending
	if first == nil {
		u.sum.Retrying, u.sum.LastError, u.sum.NextTry = false, "", time.Time{}
	}
	u.mu.Unlock()
	return first
}

// syncOne advances one recording; done reports that nothing is left to upload.
func (u *Uploader) syncOne(ctx context.Context, m recording.Meta) (done bool, err error) {
	if m.Tampered {
		u.emit(Event{Recording: m.ID, State: StateSkipped, Err: recording.ErrTampered})
		return true, nil
	}
	j, err := u.q.load(m.ID)
	if err != nil {
		return false, err
	}
	if j.Offloaded {
		return true, nil
	}
	j.Day = dayOf(m)
	closed := m.Status != recording.StatusActive
	err = u.uploadPacks(ctx, j, m, closed)
	if err == nil && !closed {
		return false, nil
	}
	if err == nil {
		err = u.uploadManifest(ctx, j)
	}
	switch {
	case errors.Is(err, recording.ErrTampered):
		// A missing segment or a broken index entry: retrying cannot help
		// and must not hold up the others; recordings verify reports it.
		u.emit(Event{Recording: m.ID, State: StateSkipped, Err: err})
		return true, nil
	case err != nil:
		return false, u.failed(j, err)
	}
	return u.offload(j), nil
}

func (u *Uploader) failed(j *job, err error) error {
	j.Attempts++
	j.LastError = err.Error()
	if serr := u.q.save(j); serr != nil {
		u.log.Error("upload queue not saved", "err", serr)
	}
	u.emit(Event{Recording: j.ID, State: StateRetrying, Err: err})
	return err
}

// sealedSegments is how many segments are ready: the index count for a
// sealed recording, the renamed (sealed) files for one being written.
func (u *Uploader) sealedSegments(m recording.Meta, closed bool, from int) int {
	if closed {
		return m.Segments
	}
	n := from - 1
	for {
		if _, err := os.Stat(u.cfg.Source.SegmentPath(m.ID, n+1)); err != nil {
			return n
		}
		n++
	}
}

func (u *Uploader) lock(m recording.Meta) s3store.Lock {
	return s3store.Lock{LegalHold: m.OnHold(), RetainUntil: m.RetainUntil, Compliance: u.cfg.Compliance}
}

// uploadPacks uploads full packs (and, once sealed, the rest) of a recording.
func (u *Uploader) uploadPacks(ctx context.Context, j *job, m recording.Meta, closed bool) error {
	for {
		next := j.nextSegment()
		n := u.sealedSegments(m, closed, next) - next + 1
		if n <= 0 || !closed && n < u.cfg.PackSegments {
			return nil
		}
		n = min(n, u.cfg.PackSegments)
		p, err := u.buildPack(m.ID, len(j.Packs)+1, next, n)
		if err != nil {
			return err
		}
		u.emit(Event{Recording: m.ID, State: StateUploading, Pack: p.N, Bytes: p.Size})
		if _, err := u.cfg.Store.Put(ctx, packKey(j.Day, m.ID, p.N), u.buf, u.lock(m)); err != nil {
			return err
		}
		j.Packs = append(j.Packs, p)
		j.Attempts, j.LastError = 0, ""
		if err := u.q.save(j); err != nil {
			return err
		}
	}
}

// buildPack concatenates n segment files into u.buf.
func (u *Uploader) buildPack(id string, num, first, n int) (Pack, error) {
	p := Pack{N: num, First: first, Sizes: make([]int64, 0, n)}
	u.buf = u.buf[:0]
	for s := first; s < first+n; s++ {
		b, err := os.ReadFile(u.cfg.Source.SegmentPath(id, s))
		if err != nil {
			return Pack{}, fmt.Errorf("%w: segment %d of %s: %v", recording.ErrTampered, s, id, err)
		}
		u.buf = append(u.buf, b...)
		p.Sizes = append(p.Sizes, int64(len(b)))
	}
	sum := sha256.Sum256(u.buf)
	p.Size, p.SHA256 = int64(len(u.buf)), base64.StdEncoding.EncodeToString(sum[:])
	return p, nil
}

// uploadManifest uploads the manifest when it is new or the index entry
// changed (a flag, a hold) since the last upload.
func (u *Uploader) uploadManifest(ctx context.Context, j *job) error {
	meta, wrapped, err := u.cfg.Source.Envelope(j.ID)
	if err != nil {
		return err
	}
	mf := Manifest{Version: manifestVersion, Agent: u.cfg.Agent, Meta: meta, WrappedKey: wrapped, Packs: j.Packs}
	plain, err := json.Marshal(mf)
	if err != nil {
		return err
	}
	s := sha256.Sum256(plain)
	sum := hex.EncodeToString(s[:])
	if sum == j.ManifestSum {
		return nil
	}
	mf.Uploaded = u.cfg.Clock().UTC()
	data, err := seal(mf, u.cfg.Recipients)
	if err != nil {
		return err
	}
	u.emit(Event{Recording: j.ID, State: StateUploading, Bytes: int64(len(data))})
	if _, err := u.cfg.Store.Put(ctx, manifestKey(j.Day, j.ID), data, u.lock(meta)); err != nil {
		return err
	}
	j.ManifestSum, j.Closed, j.Attempts, j.LastError = sum, true, 0, ""
	if j.Uploaded.IsZero() {
		j.Uploaded = mf.Uploaded
	}
	if err := u.q.save(j); err != nil {
		return err
	}
	u.mu.Lock()
	u.sum.Uploaded++
	u.mu.Unlock()
	u.emit(Event{Recording: j.ID, State: StateUploaded})
	return nil
}

// offload shreds the local copy once the keep period is over. It reports
// whether the recording needs no more work.
func (u *Uploader) offload(j *job) bool {
	if u.cfg.KeepDays < 0 || u.cfg.Clock().Before(j.Uploaded.Add(time.Duration(u.cfg.KeepDays)*24*time.Hour)) {
		return true
	}
	err := u.cfg.Source.Offload(j.ID, uploadActor)
	switch {
	case err == nil, errors.Is(err, recording.ErrDeleted):
	case errors.Is(err, recording.ErrLegalHold):
		return true // kept locally while held; retried on later passes
	default:
		u.log.Warn("local copy not shredded after upload", "recording", j.ID, "err", err)
		return true
	}
	j.Offloaded = true
	if err := u.q.save(j); err != nil {
		u.log.Error("upload queue not saved", "err", err)
	}
	u.emit(Event{Recording: j.ID, State: StateOffloaded})
	return true
}
