package central_test

import (
	"context"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/internal/s3store"
	"softphone/internal/testpeer"
	"softphone/recording"
	"softphone/recording/central"
)

// memAuditor records audit entries in memory.
type memAuditor struct {
	mu      sync.Mutex
	entries []auditEntry
}

type auditEntry struct {
	action, actor string
	attrs         map[string]string
}

func (a *memAuditor) Record(action, actor string, attrs map[string]string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, auditEntry{action, actor, attrs})
	return nil
}

func (a *memAuditor) find(action string) []auditEntry {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []auditEntry
	for _, e := range a.entries {
		if e.action == action {
			out = append(out, e)
		}
	}
	return out
}

// orgKey is the organisation identity (what a supervisor's policy grants).
type orgKey struct{ id *age.X25519Identity }

func (o orgKey) OrgIdentities() ([]age.Identity, error) { return []age.Identity{o.id}, nil }

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

// agentDesk is one agent's machine: a local recording store.
type agentDesk struct {
	dir   string
	store *recording.Store
	aud   *memAuditor
}

var localKey = []byte("test-local-key-0123456789abcdef!")

func newDesk(t testing.TB, org *age.X25519Identity, onClosed func(string)) *agentDesk {
	t.Helper()
	dir := t.TempDir()
	d := &agentDesk{dir: dir, aud: &memAuditor{}}
	var err error
	d.store, err = recording.NewStore(recording.Config{
		Dir: filepath.Join(dir, "rec"), Recipients: []age.Recipient{org.Recipient()}, RetentionDays: 30,
		Policy: recording.PolicyOn, Auditor: d.aud, PseudonymKey: localKey, SweepInterval: -1,
		Logger: quietLogger(), OnClosed: onClosed,
	})
	require.NoError(t, err)
	t.Cleanup(func() { d.store.Close() })
	return d
}

// record writes a call of the given length (agent 440 Hz, customer 660 Hz)
// and returns the recording id; flag, if set, flags it.
func (d *agentDesk) record(t testing.TB, owner string, seconds int, flag string) string {
	t.Helper()
	r, err := d.store.Start(context.Background(), recording.CallMeta{
		CallID: "call-" + owner, Direction: "incoming", Number: "+4930123456"}, owner)
	require.NoError(t, err)
	for k := range seconds * 50 {
		r.WriteAgent(sine(440, 160, k*160))
		r.WriteCustomer(sine(660, 160, k*160))
		if k%50 == 49 {
			time.Sleep(30 * time.Millisecond) // let the writer keep up (its queue holds ~4 s)
		}
	}
	if flag != "" {
		require.NoError(t, r.Flag(owner, flag))
	}
	id := r.ID()
	require.NoError(t, r.Close())
	m, _, err := d.store.Envelope(id)
	require.NoError(t, err)
	require.Zero(t, m.Dropped, "frames dropped while recording")
	return id
}

func sine(f float64, n, off int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(8000 * math.Sin(2*math.Pi*f*float64(off+i)/recording.SampleRate))
	}
	return out
}

// s3Bucket starts a real server and opens its bucket under a prefix.
func s3Bucket(t testing.TB) (*testpeer.S3, *s3store.Bucket) {
	t.Helper()
	srv := testpeer.StartS3(t)
	return srv, openBucket(t, srv)
}

func openBucket(t testing.TB, srv *testpeer.S3) *s3store.Bucket {
	t.Helper()
	b, err := s3store.Open(s3store.Config{
		Endpoint: srv.Endpoint, Bucket: srv.Bucket, Region: srv.Region, Prefix: "acme/",
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
	})
	require.NoError(t, err)
	return b
}

func newUploader(t testing.TB, d *agentDesk, b central.Putter, org *age.X25519Identity, mod func(*central.UploaderConfig)) *central.Uploader {
	t.Helper()
	cfg := central.UploaderConfig{
		Source: d.store, Store: b, QueueDir: filepath.Join(d.dir, "queue"),
		Recipients: []age.Recipient{org.Recipient()}, Agent: "a_test", PackSegments: 3,
		RetryMin: 50 * time.Millisecond, RetryMax: 400 * time.Millisecond, Logger: quietLogger(),
	}
	if mod != nil {
		mod(&cfg)
	}
	u, err := central.NewUploader(cfg)
	require.NoError(t, err)
	return u
}

func newReviewer(t testing.TB, b central.Objects, org *age.X25519Identity, actor string, role recording.Role) (*central.Reviewer, *memAuditor) {
	t.Helper()
	aud := &memAuditor{}
	r, err := central.NewReviewer(central.ReviewerConfig{
		Store: b, Recipients: []age.Recipient{org.Recipient()}, Identities: orgKey{org},
		Auditor: aud, Actor: actor, Role: role, Logger: quietLogger(),
	})
	require.NoError(t, err)
	return r, aud
}
