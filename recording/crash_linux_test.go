//go:build linux

package recording

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"
)

const (
	childEnv      = "SOFTPHONE_RECORDING_TEST_CHILD" // "crash" or "fsize"
	childDirEnv   = "SOFTPHONE_RECORDING_TEST_DIR"
	childRcptEnv  = "SOFTPHONE_RECORDING_TEST_RECIPIENT"
	fsizeLimitEnv = "SOFTPHONE_RECORDING_TEST_FSIZE"
)

func runChildIfRequested() bool {
	switch os.Getenv(childEnv) {
	case "crash":
		childRecord(false)
	case "fsize":
		childRecord(true)
	default:
		return false
	}
	os.Exit(0)
	return true
}

// crashFrame is frame k of the child's call: a sweep unique per frame, so
// every 20 ms can be found (or not) in any file.
func crashFrame(k int) []int16 { return tone(300+float64(k%700), 160, k*160, 9000) }

// childRecord records a call in real time, printing "frames N" after each
// frame. With fsize it limits the file size (RLIMIT_FSIZE) first and
// reports the state once the recorder gives up.
func childRecord(fsize bool) {
	rs, err := age.ParseRecipients(strings.NewReader(os.Getenv(childRcptEnv)))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	s, err := NewStore(Config{Dir: os.Getenv(childDirEnv), Recipients: rs, PseudonymKey: testPseudonymKey,
		Policy: PolicyOn, SweepInterval: -1, SegmentDuration: time.Second})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	r, err := s.Start(context.Background(), CallMeta{CallID: "crash-call", Number: "+4930111"}, "agent7")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	fmt.Println("id", r.ID())
	if fsize {
		lim, _ := strconv.ParseUint(os.Getenv(fsizeLimitEnv), 10, 64)
		// Without ignoring SIGXFSZ the kernel would kill us; ignored, write returns EFBIG.
		signal.Ignore(syscall.SIGXFSZ)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: lim, Max: lim}); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for k := 0; k < 3000; k++ {
		<-tick.C
		r.WriteAgent(crashFrame(k))
		r.WriteCustomer(crashFrame(k))
		fmt.Println("frames", k+1)
		if st, why := r.State(); fsize && st == NotRecording {
			fmt.Printf("state %s|%s\n", st, why)
			r.Close()
			s.Close()
			return
		}
	}
}

func startChild(t *testing.T, mode, dir, rcpt string, extra ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	if testing.Short() {
		t.Skip("child process test skipped with -short")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, childDirEnv+"="+dir, childRcptEnv+"="+rcpt)
	cmd.Env = append(cmd.Env, extra...)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewScanner(out)
}

// TestCrashRecovery kills a recording child with SIGKILL mid-call: every
// frame older than 2 s decrypts, the recording is marked incomplete and no
// plaintext is on disk.
func TestCrashRecovery(t *testing.T) {
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "rec")
	cmd, sc := startChild(t, "crash", dir, org.Recipient().String())
	var id string
	frames := 0
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && f[0] == "id" {
			id = f[1]
		}
		if len(f) == 2 && f[0] == "frames" {
			frames, _ = strconv.Atoi(f[1])
			if frames >= 230 { // 4.6 s into the call, mid-segment
				break
			}
		}
	}
	require.NotEmpty(t, id)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	cmd.Wait()

	aud := &fakeAuditor{}
	s, err := NewStore(Config{Dir: dir, Recipients: []age.Recipient{org.Recipient()}, PseudonymKey: testPseudonymKey, Auditor: aud, SweepInterval: -1})
	require.NoError(t, err)
	defer s.Close()
	m, err := s.Get("sup1", RoleSupervisor, id)
	require.NoError(t, err)
	require.Equal(t, StatusIncomplete, m.Status)
	require.Contains(t, m.Reason, "interrupted")
	require.Contains(t, aud.actions(), actStop)

	env := &testEnv{store: s, id: org}
	agent, customer := decodeWAV(t, env.wav(t, id))
	got := len(agent) / 160
	t.Logf("frames written before kill: ≥%d, recovered: %d (lost %d ms)", frames, got, (frames-got)*20)
	require.GreaterOrEqual(t, got, frames-100, "at most 2 s lost")
	// Every recovered frame is exact. A frame may be silent only if the
	// writer queue overflowed (a stalled fsync on a loaded machine): such
	// drops are counted by design, and must stay rare.
	silent := make([]int16, 160)
	drops := 0
	for k := 0; k < got; k++ {
		for _, ch := range [][]int16{agent, customer} {
			f := ch[k*160 : (k+1)*160]
			if slices.Equal(f, silent) {
				drops++
				continue
			}
			require.Equal(t, crashFrame(k), f, "frame %d", k)
		}
	}
	require.Less(t, drops, 10, "dropped frames")
	files := allFiles(t, dir)
	var all [][]int16
	for k := 0; k < frames+5; k++ {
		all = append(all, crashFrame(k))
	}
	requireNoMarker(t, files, all)
	tmps, _ := filepath.Glob(filepath.Join(dir, id, "*.tmp"))
	require.Empty(t, tmps, "unsealed segment removed at recovery")
}

// TestFileSizeLimit runs the recorder under RLIMIT_FSIZE: the recorder
// reports NOT RECORDING — disk full instead of dying, and the recording is
// incomplete.
func TestFileSizeLimit(t *testing.T) {
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "rec")
	// Larger than the index files need, smaller than one 1 s segment (~33 KB).
	cmd, sc := startChild(t, "fsize", dir, org.Recipient().String(), fsizeLimitEnv+"=30000")
	var id, state string
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && f[0] == "id":
			id = f[1]
		case len(f) >= 2 && f[0] == "state":
			state = strings.TrimPrefix(sc.Text(), "state ")
		case len(f) >= 1 && f[0] == "error":
			t.Fatal(sc.Text())
		}
	}
	require.NoError(t, cmd.Wait(), "the process survives the size limit")
	require.Equal(t, "NOT RECORDING|disk full", state)
	s, err := NewStore(Config{Dir: dir, Recipients: []age.Recipient{org.Recipient()}, PseudonymKey: testPseudonymKey, SweepInterval: -1})
	require.NoError(t, err)
	defer s.Close()
	m, err := s.Get("sup1", RoleSupervisor, id)
	require.NoError(t, err)
	require.Equal(t, StatusIncomplete, m.Status)
}
