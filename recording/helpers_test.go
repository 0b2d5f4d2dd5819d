package recording

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if runChildIfRequested() {
		return
	}
	goleak.VerifyTestMain(m)
}

// fakeAuditor records entries in memory.
type fakeAuditor struct {
	mu      sync.Mutex
	entries []auditEntry
	fail    error
}

type auditEntry struct {
	action, actor string
	attrs         map[string]string
}

func (f *fakeAuditor) Record(action, actor string, attrs map[string]string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.entries = append(f.entries, auditEntry{action, actor, attrs})
	return nil
}

func (f *fakeAuditor) actions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.entries {
		out = append(out, e.action)
	}
	return out
}

type testEnv struct {
	dir   string
	store *Store
	id    *age.X25519Identity // organisation identity (the supervisor's key file)
	aud   *fakeAuditor
	now   *time.Time
	mu    *sync.Mutex
}

var testPseudonymKey = []byte("test-local-key-0123456789abcdef!")

func newEnv(t *testing.T, mod func(*Config)) *testEnv {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	env := &testEnv{dir: dir, id: id, aud: &fakeAuditor{}, now: &now, mu: &mu}
	cfg := Config{
		Dir: filepath.Join(dir, "rec"), Recipients: []age.Recipient{id.Recipient()}, RetentionDays: 30,
		Policy: PolicyOn, Auditor: env.aud, PseudonymKey: testPseudonymKey,
		Clock:           func() time.Time { mu.Lock(); defer mu.Unlock(); return *env.now },
		SegmentDuration: 200 * time.Millisecond, SweepInterval: -1, Logger: testLogger(),
	}
	if mod != nil {
		mod(&cfg)
	}
	env.store, err = NewStore(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { env.store.Close() })
	return env
}

func (e *testEnv) advance(d time.Duration) {
	e.mu.Lock()
	*e.now = e.now.Add(d)
	e.mu.Unlock()
}

// tone returns n samples of a sine at f Hz, starting at sample offset off.
func tone(f float64, n, off int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * math.Sin(2*math.Pi*f*float64(off+i)/SampleRate))
	}
	return out
}

// marker is the distinctive pattern: 10 ms of 1 kHz then 10 ms of 2.2 kHz.
func marker(k int) []int16 {
	return append(tone(1000, 80, k*160, 12000), tone(2200, 80, k*160+80, 12000)...)
}

func pcmBytes(s []int16) []byte {
	b := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

// goertzel returns the relative power of frequency f in x.
func goertzel(x []int16, f float64) float64 {
	if len(x) == 0 {
		return 0
	}
	w := 2 * math.Pi * f / SampleRate
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s := float64(v) + c*s1 - s2
		s2, s1 = s1, s
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	return p / float64(len(x)) / float64(len(x))
}

// decodeWAV splits a stereo WAV into its two channels.
func decodeWAV(t *testing.T, b []byte) (agent, customer []int16) {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 44)
	require.Equal(t, "RIFF", string(b[:4]))
	n := binary.LittleEndian.Uint32(b[40:])
	require.Equal(t, int(n), len(b)-44, "data size in header matches")
	d := b[44:]
	agent, customer = make([]int16, len(d)/4), make([]int16, len(d)/4)
	for i := range agent {
		agent[i] = int16(binary.LittleEndian.Uint16(d[4*i:]))
		customer[i] = int16(binary.LittleEndian.Uint16(d[4*i+2:]))
	}
	return agent, customer
}

// allFiles returns the contents of every file under dir.
func allFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[p] = b
		return nil
	}))
	return out
}

// requireNoMarker checks that no raw marker frame (either byte alignment of
// a 20-sample window) appears in any file.
func requireNoMarker(t *testing.T, files map[string][]byte, markers [][]int16) {
	t.Helper()
	for _, m := range markers {
		raw := pcmBytes(m)
		for off := 0; off+40 <= len(raw); off += 40 {
			needle := raw[off : off+40]
			for name, b := range files {
				require.False(t, bytes.Contains(b, needle), "marker PCM found in %s", name)
			}
		}
	}
}

func (e *testEnv) wav(t *testing.T, id string) []byte {
	t.Helper()
	rd, err := e.store.Open("sup1", RoleSupervisor, id, PurposePlayback, e.id)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, rd.WriteWAV(&buf))
	return buf.Bytes()
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, 5*time.Second, 5*time.Millisecond)
}

// testLogger discards logs unless SOFTPHONE_DEBUG is set.
func testLogger() *slog.Logger {
	if os.Getenv("SOFTPHONE_DEBUG") != "" {
		return slog.Default()
	}
	return slog.New(slog.DiscardHandler)
}
