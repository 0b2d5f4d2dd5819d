package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"
)

// testHash is a cheap argon2id cost so tests with many logins stay fast;
// BenchmarkLoginVerify and TestDefaultCost use the real one.
var testHash = HashParams{Time: 1, MemoryKiB: 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

// fakeClock is a manual clock; Sleep advances it and records the wait.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	// A time in the middle of a 30 s step, so ±step arithmetic is clear.
	return &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 15, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// memAuditor records events in memory.
type memAuditor struct {
	mu     sync.Mutex
	events []auditLine
	err    error
}

func (a *memAuditor) Record(action, actor string, attrs map[string]string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	a.events = append(a.events, auditLine{Action: action, Actor: actor, Attrs: attrs})
	return nil
}

func (a *memAuditor) count(action string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, e := range a.events {
		if e.Action == action {
			n++
		}
	}
	return n
}

func (a *memAuditor) last(action string) (auditLine, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := len(a.events) - 1; i >= 0; i-- {
		if a.events[i].Action == action {
			return a.events[i], true
		}
	}
	return auditLine{}, false
}

// fakeKeyring is an in-memory keyring (hand-written, so unit tests never
// replace the global go-keyring provider the real-keyring test uses).
type fakeKeyring struct {
	mu    sync.Mutex
	items map[string]string
	err   error // returned by every call when set (no keyring)
}

func newFakeKeyring() *fakeKeyring { return &fakeKeyring{items: map[string]string{}} }

func (k *fakeKeyring) Set(s, u, p string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return k.err
	}
	k.items[s+"|"+u] = p
	return nil
}

func (k *fakeKeyring) Get(s, u string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return "", k.err
	}
	v, ok := k.items[s+"|"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *fakeKeyring) Delete(s, u string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.err != nil {
		return k.err
	}
	if _, ok := k.items[s+"|"+u]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.items, s+"|"+u)
	return nil
}

var errNoDBus = errors.New("The name org.freedesktop.secrets was not provided by any .service files")

// testEnv is a Service over a temporary directory with a fake clock.
type testEnv struct {
	t     *testing.T
	dir   string
	clock *fakeClock
	audit *memAuditor
	vault Vault
	svc   *Service
}

func newTestFileVault(t *testing.T, dir string) *FileVault {
	t.Helper()
	fv, err := NewFileVault(dir)
	require.NoError(t, err)
	fv.params = testHash
	return fv
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	dir := t.TempDir()
	e := &testEnv{t: t, dir: dir, clock: newFakeClock(), audit: &memAuditor{}}
	e.vault = newTestFileVault(t, dir)
	e.restart()
	return e
}

// restart builds a new Service over the same directory, as a program
// restart would.
func (e *testEnv) restart() {
	e.t.Helper()
	svc, err := New(Config{Dir: e.dir, Vault: e.vault, Auditor: e.audit, Policy: Policy{Hash: testHash}},
		WithClock(e.clock.Now), WithSleep(e.clock.Sleep), WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(e.t, err)
	e.svc = svc
}

// addEnrolled creates a profile and enrols it; it returns the TOTP secret
// and the recovery codes, and leaves the clock one step later (so the
// enrolment code is no longer the current one).
func (e *testEnv) addEnrolled(admin *Session, name string, role Role, password string) (string, []string) {
	e.t.Helper()
	ctx := context.Background()
	require.NoError(e.t, e.svc.AddProfile(ctx, admin, name, role, password))
	enr, err := e.svc.BeginEnrolment(ctx, name, password)
	require.NoError(e.t, err)
	codes, err := e.svc.CompleteEnrolment(ctx, name, password, e.code(enr.Secret, 0))
	require.NoError(e.t, err)
	e.clock.Advance(totpPeriod * time.Second)
	return enr.Secret, codes
}

// code is the TOTP code at the current time plus offset steps.
func (e *testEnv) code(secret string, offset int64) string {
	e.t.Helper()
	c, err := totpCodeAt(secret, totpStep(e.clock.Now())+offset, totpDefault)
	require.NoError(e.t, err)
	return c
}

func (e *testEnv) loadProfile(name string) *profile {
	e.t.Helper()
	p, err := e.svc.store.load(name)
	require.NoError(e.t, err)
	return p
}

func profilePath(dir, name string) string { return filepath.Join(dir, name+".json") }

// cryptoRand reads crypto/rand.
type cryptoRand struct{}

func (cryptoRand) Read(b []byte) (int, error) { return rand.Read(b) }

func (a *memAuditor) countActor(action, actor string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, e := range a.events {
		if e.Action == action && e.Actor == actor {
			n++
		}
	}
	return n
}

func readFileForSeed(path string) ([]byte, error) { return os.ReadFile(path) }
