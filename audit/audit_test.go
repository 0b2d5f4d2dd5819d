package audit

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testKey = []byte("0123456789abcdef0123456789abcdef")

func fixedClock() func() time.Time {
	t := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// writeLog creates a log with n entries and returns its path.
func writeLog(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.log")
	l, err := Open(path, WithAnchorKey(testKey), WithClock(fixedClock()))
	require.NoError(t, err)
	for i := 1; i <= n; i++ {
		require.NoError(t, l.Record(ActionPlayback, "sup1", map[string]string{"recording": fmt.Sprintf("r%d", i)}))
	}
	require.NoError(t, l.Close())
	require.NoError(t, l.Close(), "Close is idempotent")
	return path
}

func readLines(t *testing.T, path string) [][]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return bytes.SplitAfter(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
}

func writeLines(t *testing.T, path string, lines [][]byte) {
	t.Helper()
	var buf bytes.Buffer
	for _, l := range lines {
		buf.Write(bytes.TrimSuffix(l, []byte("\n")))
		buf.WriteByte('\n')
	}
	require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o600))
}

func TestRecordAndVerifyClean(t *testing.T) {
	path := writeLog(t, 5)
	rep, err := Verify(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	require.Equal(t, 5, rep.Entries)
	require.Equal(t, "valid", rep.AnchorMAC)

	lines := readLines(t, path)
	e, err := ParseEntry(lines[0])
	require.NoError(t, err)
	require.Equal(t, uint64(1), e.Seq)
	require.Equal(t, GenesisHash, e.Prev)
	e2, err := ParseEntry(lines[1])
	require.NoError(t, err)
	require.Equal(t, e.Hash, e2.Prev, "entries are chained")

	// Reopen continues the chain.
	l, err := Open(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	n, _ := l.Head()
	require.Equal(t, uint64(5), n)
	require.NoError(t, l.Record(ActionExport, "sup1", nil))
	require.NoError(t, l.Close())
	rep, err = Verify(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	require.Equal(t, 6, rep.Entries)
}

// TestHashKnownAnswer pins the canonical form: a change to it breaks every
// existing log, so it must be deliberate.
func TestHashKnownAnswer(t *testing.T) {
	e := Entry{Seq: 1, Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Actor: "a", Action: "x.y",
		Attrs: map[string]string{"b": "2", "a": "1"}, Prev: GenesisHash}
	c, err := e.canonical()
	require.NoError(t, err)
	want := `{"seq":1,"time":"2026-01-02T03:04:05.000000006Z","actor":"a","action":"x.y","attrs":{"a":"1","b":"2"},"prev":"` + GenesisHash + `"}`
	require.Equal(t, want, string(c))
	sum := sha256.Sum256([]byte(want))
	h, err := e.ComputeHash()
	require.NoError(t, err)
	require.Equal(t, fmt.Sprintf("%x", sum), h)
}

func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name     string
		tamper   func(t *testing.T, path string)
		wantKind ProblemKind
		wantLine int // 0: a whole-log finding
	}{
		{"edited attribute", func(t *testing.T, path string) {
			lines := readLines(t, path)
			lines[2] = bytes.Replace(lines[2], []byte(`"r3"`), []byte(`"r9"`), 1)
			writeLines(t, path, lines)
		}, ProblemEdited, 3},
		{"edited actor with recomputed hash", func(t *testing.T, path string) {
			lines := readLines(t, path)
			e, err := ParseEntry(lines[1])
			require.NoError(t, err)
			e.Actor = "someone-else"
			e.Hash, err = e.ComputeHash()
			require.NoError(t, err)
			lines[1], err = e.MarshalLine()
			require.NoError(t, err)
			writeLines(t, path, lines)
		}, ProblemChainBroken, 3},
		{"removed entry", func(t *testing.T, path string) {
			lines := readLines(t, path)
			writeLines(t, path, append(lines[:2:2], lines[3:]...))
		}, ProblemMissing, 3},
		{"reordered entries", func(t *testing.T, path string) {
			lines := readLines(t, path)
			lines[1], lines[2] = lines[2], lines[1]
			writeLines(t, path, lines)
		}, ProblemMissing, 2},
		{"duplicated entry", func(t *testing.T, path string) {
			lines := readLines(t, path)
			writeLines(t, path, append(lines[:3:3], append([][]byte{lines[1]}, lines[3:]...)...))
		}, ProblemOutOfOrder, 4},
		{"truncated tail", func(t *testing.T, path string) {
			lines := readLines(t, path)
			writeLines(t, path, lines[:3])
		}, ProblemTruncated, 0},
		{"garbage line", func(t *testing.T, path string) {
			lines := readLines(t, path)
			lines[0] = []byte("not json")
			writeLines(t, path, lines)
		}, ProblemMalformed, 1},
		{"forged anchor", func(t *testing.T, path string) {
			lines := readLines(t, path)
			writeLines(t, path, lines[:3])
			e, err := ParseEntry(lines[2])
			require.NoError(t, err)
			require.NoError(t, writeAnchor(AnchorPath(path), newAnchor([]byte("wrong key"), 3, e.Hash)))
		}, ProblemAnchor, 0},
		{"anchor removed", func(t *testing.T, path string) {
			require.NoError(t, os.Remove(AnchorPath(path)))
		}, ProblemAnchor, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeLog(t, 5)
			tc.tamper(t, path)
			rep, err := Verify(path, WithAnchorKey(testKey))
			require.NoError(t, err)
			require.False(t, rep.OK())
			found := false
			for _, p := range rep.Problems {
				if p.Kind == tc.wantKind && p.Entry == tc.wantLine {
					found = true
				}
			}
			require.True(t, found, "want %s at entry %d, got %v", tc.wantKind, tc.wantLine, rep.Problems)
		})
	}
}

// One entry after the anchor is what a crash leaves, and also what a
// forger who cannot sign the anchor appends: verify fails unless the crash
// tail is allowed explicitly, also after Open adopted the entry.
func TestCrashTailNeedsExplicitAllowance(t *testing.T) {
	path := writeLog(t, 3)
	lines := readLines(t, path)
	e, err := ParseEntry(lines[1])
	require.NoError(t, err)
	require.NoError(t, writeAnchor(AnchorPath(path), newAnchor(testKey, 2, e.Hash)))
	rep, err := Verify(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.False(t, rep.OK())
	require.Equal(t, ProblemCrashTail, rep.Problems[0].Kind)
	require.Equal(t, 1, rep.Unanchored)
	rep, err = Verify(path, WithAnchorKey(testKey), WithCrashTail())
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)

	// Open adopts it, and says so in the chain.
	l, err := Open(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.NoError(t, l.Record("x.test", "ann", nil))
	require.NoError(t, l.Close())
	rep, err = Verify(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.Len(t, rep.Problems, 1, "%v", rep.Problems)
	require.Equal(t, ProblemCrashTail, rep.Problems[0].Kind)
	require.Equal(t, uint64(3), rep.Problems[0].Seq)
	rep, err = Verify(path, WithAnchorKey(testKey), WithCrashTail())
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
}

// A forged entry appended with a correct hash is found, even when the
// forger also rewrites the anchor without the key.
func TestForgedAppendFound(t *testing.T) {
	path := writeLog(t, 3)
	lines := readLines(t, path)
	last, err := ParseEntry(lines[2])
	require.NoError(t, err)
	forged := Entry{Seq: 4, Time: last.Time, Actor: "ann", Action: "auth.logout", Prev: last.Hash}
	forged.Hash, err = forged.ComputeHash()
	require.NoError(t, err)
	b, err := forged.MarshalLine()
	require.NoError(t, err)
	writeLines(t, path, append(lines, b))
	rep, err := Verify(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.False(t, rep.OK(), "an unanchored forged entry is not accepted")
	// The forger rewrites the anchor, without the key.
	require.NoError(t, writeAnchor(AnchorPath(path), newAnchor([]byte("guessed key"), 4, forged.Hash)))
	rep, err = Verify(path, WithAnchorKey(testKey), WithCrashTail())
	require.NoError(t, err)
	require.False(t, rep.OK())
	require.Equal(t, "invalid", rep.AnchorMAC)
	// Without a key nothing can be vouched for.
	rep, err = Verify(path)
	require.NoError(t, err)
	require.False(t, rep.OK())
}

func TestOpenAfterTruncationRecordsFinding(t *testing.T) {
	path := writeLog(t, 5)
	writeLines(t, path, readLines(t, path)[:2])
	l, err := Open(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.NoError(t, l.Close())
	lines := readLines(t, path)
	last, err := ParseEntry(lines[len(lines)-1])
	require.NoError(t, err)
	require.Equal(t, ActionTamper, last.Action)
	require.Contains(t, last.Attrs["finding"], "anchor has 5 entries, log has 2")
}

func TestPartialLastLine(t *testing.T) {
	path := writeLog(t, 2)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(`{"seq":3,"time":"20`)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	l, err := Open(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.NoError(t, l.Record(ActionLogin, "a1", nil))
	require.NoError(t, l.Close())
	rep, err := Verify(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.Len(t, rep.Problems, 1, "%v", rep.Problems)
	require.Equal(t, ProblemMalformed, rep.Problems[0].Kind)
	require.Equal(t, 3, rep.Problems[0].Entry)
}

func TestRecordValidation(t *testing.T) {
	l, err := Open(filepath.Join(t.TempDir(), "a.log"))
	require.NoError(t, err)
	defer l.Close()
	tests := []struct {
		name          string
		action, actor string
		attrs         map[string]string
		want          error
	}{
		{"no action", "", "a", nil, ErrEmptyAction},
		{"no actor", "x", "", nil, ErrEmptyActor},
		{"huge attr", "x", "a", map[string]string{"k": strings.Repeat("v", MaxAttrLen+1)}, ErrAttrTooLong},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, l.Record(tc.action, tc.actor, tc.attrs), tc.want)
		})
	}
	require.NoError(t, l.Close())
	require.ErrorIs(t, l.Record("x", "a", nil), ErrClosed)
}

func TestConcurrentRecord(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	l, err := Open(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				require.NoError(t, l.Record(ActionReveal, fmt.Sprintf("agent%d", g), map[string]string{"i": fmt.Sprint(i)}))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, l.Close())
	rep, err := Verify(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	require.Equal(t, 160, rep.Entries)
}

func FuzzParseEntry(f *testing.F) {
	e := Entry{Seq: 1, Time: time.Unix(0, 0), Actor: "a", Action: "b", Prev: GenesisHash}
	e.Hash, _ = e.ComputeHash()
	b, _ := e.MarshalLine()
	f.Add(b)
	f.Add([]byte("{}"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEntry(b)
		if err != nil {
			return
		}
		// A parsed entry must round-trip through its stored form.
		out, err := e.MarshalLine()
		if err != nil {
			t.Fatal(err)
		}
		e2, err := ParseEntry(out)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		h1, _ := e.ComputeHash()
		h2, _ := e2.ComputeHash()
		if h1 != h2 {
			t.Fatal("hash changed across round trip")
		}
	})
}

// BenchmarkVerify measures verify speed; BenchmarkRawSHA256 hashes the same
// bytes with nothing else, as the reference.
func BenchmarkVerify(b *testing.B) {
	path := benchLog(b, 10000)
	b.ResetTimer()
	for b.Loop() {
		rep, err := Verify(path)
		if err != nil || len(rep.Problems) != 0 {
			b.Fatal(err, rep.Problems)
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkRawSHA256(b *testing.B) {
	path := benchLog(b, 10000)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(data, []byte("\n"))
	b.ResetTimer()
	for b.Loop() {
		for _, l := range lines {
			sha256.Sum256(l)
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "entries/s")
}

func benchLog(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bench.log")
	var buf bytes.Buffer
	prev := GenesisHash
	t0 := time.Now()
	for i := 1; i <= n; i++ {
		e := Entry{Seq: uint64(i), Time: t0, Actor: "agent1", Action: ActionRecordingPause,
			Attrs: map[string]string{"recording": "0123456789abcdef", "reasons": "payment"}, Prev: prev}
		e.Hash, _ = e.ComputeHash()
		l, _ := e.MarshalLine()
		buf.Write(l)
		buf.WriteByte('\n')
		prev = e.Hash
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	if err := writeAnchor(AnchorPath(path), newAnchor(nil, uint64(n), prev)); err != nil {
		b.Fatal(err)
	}
	return path
}

// TestTwoWritersOneFile: the desktop and a headless command append to the
// same log; the chain stays intact.
func TestTwoWritersOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.log")
	a, err := Open(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	b, err := Open(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for _, l := range []*Log{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				require.NoError(t, l.Record(ActionPlayback, "sup", nil))
			}
		}()
	}
	wg.Wait()
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
	rep, err := Verify(path, WithAnchorKey(testKey))
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	require.Equal(t, 50, rep.Entries)
}
