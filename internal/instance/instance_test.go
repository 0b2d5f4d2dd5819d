package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/internal/filelock"
)

const childEnv = "SOFTPHONE_INSTANCE_TEST_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		os.Exit(childPrimary(dir))
	}
	goleak.VerifyTestMain(m)
}

// childPrimary runs as a separate process: it becomes the primary, prints
// "ready", echoes every link it receives and exits when stdin closes.
func childPrimary(dir string) int {
	inst, primary, err := Acquire("xproc", WithDir(dir), WithLogger(quietLogger()))
	if err != nil || !primary {
		fmt.Printf("not primary: %v\n", err)
		return 1
	}
	fmt.Println("ready")
	go func() {
		io.Copy(io.Discard, os.Stdin)
		inst.Close()
	}()
	for l := range inst.Links() {
		fmt.Println("link " + l)
	}
	return 0
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func opts(t *testing.T, tr transport, dir string) []Option {
	t.Helper()
	return []Option{WithDir(dir), WithLogger(quietLogger()), WithTimeout(2 * time.Second), withTransport(tr)}
}

func forEachTransport(t *testing.T, f func(t *testing.T, tr transport)) {
	for name, tr := range testTransports {
		t.Run(name, func(t *testing.T) { f(t, tr) })
	}
}

func recv(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-ch:
		require.True(t, ok, "Links closed")
		return l
	case <-time.After(5 * time.Second):
		t.Fatal("no link arrived")
		return ""
	}
}

func TestRoleString(t *testing.T) {
	for _, tc := range []struct {
		r    Role
		want string
	}{{RolePrimary, "primary"}, {RoleSecondary, "secondary"}, {Role(7), "Role(?)"}} {
		assert.Equal(t, tc.want, tc.r.String())
	}
}

func TestPrimaryReceivesLinksFromSecondary(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		dir := t.TempDir()
		p, primary, err := Acquire("sp", opts(t, tr, dir)...)
		require.NoError(t, err)
		require.True(t, primary)
		defer p.Close()
		assert.Equal(t, RolePrimary, p.Role())
		assert.ErrorIs(t, p.Send(context.Background(), "tel:+1"), ErrPrimary)

		s, primary, err := Acquire("sp", opts(t, tr, dir)...)
		require.NoError(t, err)
		require.False(t, primary)
		assert.Equal(t, RoleSecondary, s.Role())
		_, open := <-s.Links()
		assert.False(t, open, "a secondary's Links is closed")

		for _, link := range []string{"sip:alice@example.com", "tel:+49-201-809000", ""} {
			require.NoError(t, s.Send(context.Background(), link))
			assert.Equal(t, link, recv(t, p.Links()))
		}
		require.NoError(t, s.Close())
		assert.ErrorIs(t, s.Send(context.Background(), "tel:1"), ErrClosed)

		// The package-level Send reaches the same primary.
		require.NoError(t, Send(context.Background(), "sp", "sips:bob@pbx.example.com:5061", opts(t, tr, dir)...))
		assert.Equal(t, "sips:bob@pbx.example.com:5061", recv(t, p.Links()))
	})
}

func TestSendWithoutPrimary(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		dir := t.TempDir()
		start := time.Now()
		err := Send(context.Background(), "sp", "tel:123", opts(t, tr, dir)...)
		assert.ErrorIs(t, err, ErrNotRunning)
		assert.Less(t, time.Since(start), time.Second, "no primary must be detected at once, not after the timeout")
	})
}

func TestCloseReleasesForNextPrimary(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		dir := t.TempDir()
		p, primary, err := Acquire("sp", opts(t, tr, dir)...)
		require.NoError(t, err)
		require.True(t, primary)
		require.NoError(t, p.Close())
		require.NoError(t, p.Close(), "Close is idempotent")
		_, open := <-p.Links()
		assert.False(t, open, "Close closes Links")
		assert.ErrorIs(t, Send(context.Background(), "sp", "tel:1", opts(t, tr, dir)...), ErrNotRunning)

		p2, primary, err := Acquire("sp", opts(t, tr, dir)...)
		require.NoError(t, err)
		assert.True(t, primary, "the lock is free again after Close")
		require.NoError(t, p2.Close())
	})
}

func TestStaleEndpointIsReplaced(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		dir := t.TempDir()
		// A primary that died without cleaning up leaves its endpoint file
		// (socket or port file) but no lock.
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sp.sock"), nil, 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "sp.port"), []byte("1 "+strings.Repeat("ab", 32)+"\n"), 0o600))
		assert.ErrorIs(t, Send(context.Background(), "sp", "tel:1", opts(t, tr, dir)...), ErrNotRunning)
		p, primary, err := Acquire("sp", opts(t, tr, dir)...)
		require.NoError(t, err)
		require.True(t, primary)
		defer p.Close()
		require.NoError(t, Send(context.Background(), "sp", "tel:2", opts(t, tr, dir)...))
		assert.Equal(t, "tel:2", recv(t, p.Links()))
	})
}

func TestBusyWhenQueueFull(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		dir := t.TempDir()
		p, _, err := Acquire("sp", opts(t, tr, dir)...)
		require.NoError(t, err)
		defer p.Close()
		for n := range QueueLen {
			require.NoError(t, Send(context.Background(), "sp", fmt.Sprintf("tel:%d", n), opts(t, tr, dir)...))
		}
		assert.ErrorIs(t, Send(context.Background(), "sp", "tel:99", opts(t, tr, dir)...), ErrBusy)
		assert.Equal(t, "tel:0", recv(t, p.Links()), "links arrive in order")
		require.NoError(t, Send(context.Background(), "sp", "tel:100", opts(t, tr, dir)...), "room again after a read")
	})
}

func TestConcurrentSenders(t *testing.T) {
	forEachTransport(t, func(t *testing.T, tr transport) {
		dir := t.TempDir()
		p, _, err := Acquire("sp", opts(t, tr, dir)...)
		require.NoError(t, err)
		defer p.Close()
		const n = 6
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for k := range n {
			wg.Go(func() { errs <- Send(context.Background(), "sp", fmt.Sprintf("tel:%d", k), opts(t, tr, dir)...) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		got := map[string]bool{}
		for range n {
			got[recv(t, p.Links())] = true
		}
		assert.Len(t, got, n)
	})
}

func TestRejectsWrongTokenAndGarbage(t *testing.T) {
	dir := t.TempDir()
	tr := tcpTransport{}
	p, _, err := Acquire("sp", opts(t, tr, dir)...)
	require.NoError(t, err)
	defer p.Close()
	conn := func() net.Conn {
		c, _, err := tr.dial(context.Background(), dir, "sp")
		require.NoError(t, err)
		c.SetDeadline(time.Now().Add(3 * time.Second))
		return c
	}
	for _, tc := range []struct {
		name string
		line string
	}{
		{"wrong token", `{"v":1,"op":"open","token":"` + strings.Repeat("00", 32) + `","link":"tel:1"}`},
		{"no token", `{"v":1,"op":"open","link":"tel:1"}`},
		{"not json", `hello`},
		{"unknown op", `{"v":1,"op":"exec","link":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := conn()
			defer c.Close()
			_, err := io.WriteString(c, tc.line+"\n")
			require.NoError(t, err)
			line, err := bufio.NewReader(c).ReadBytes('\n')
			require.NoError(t, err)
			var r reply
			require.NoError(t, json.Unmarshal(line, &r))
			assert.False(t, r.OK)
			assert.Equal(t, "refused", r.Error)
		})
	}
	// A client that connects and says nothing (Acquire's probe of a stale
	// endpoint) must not disturb the primary.
	conn().Close()
	select {
	case l := <-p.Links():
		t.Fatalf("a refused request delivered %q", l)
	default:
	}
	require.NoError(t, Send(context.Background(), "sp", "tel:5", opts(t, tr, dir)...))
	assert.Equal(t, "tel:5", recv(t, p.Links()))
}

func TestInvalidInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, inst, link string
		want             error
	}{
		{"empty name", "", "tel:1", ErrInvalidName},
		{"path in name", "../x", "tel:1", ErrInvalidName},
		{"dot name", ".x", "tel:1", ErrInvalidName},
		{"newline in link", "sp", "tel:1\nBYE", ErrInvalidLink},
		{"NUL in link", "sp", "tel:1\x00", ErrInvalidLink},
		{"bad utf8", "sp", "tel:\xff", ErrInvalidLink},
		{"too long", "sp", "tel:" + strings.Repeat("1", MaxLinkLen), ErrInvalidLink},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Send(context.Background(), tc.inst, tc.link, WithDir(dir), WithLogger(quietLogger()))
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestNotRespondingHolder(t *testing.T) {
	dir := t.TempDir()
	o := opts(t, testTransports["tcp"], dir)
	// Someone holds the lock but never listens.
	lk, err := filelock.OpenTry(filepath.Join(dir, "sp.lock"))
	require.NoError(t, err)
	defer lk.Close()
	short := append(o, WithTimeout(300*time.Millisecond))
	_, _, err = Acquire("sp", short...)
	assert.ErrorIs(t, err, ErrNotResponding)
	assert.ErrorIs(t, Send(context.Background(), "sp", "tel:1", short...), ErrNotResponding)
}

// TestCrossProcess runs the primary in another process, as in real use.
func TestCrossProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			assert.NoError(t, err, "child exits cleanly")
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Error("child did not exit")
		}
	})
	lines := make(chan string, 8)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	require.Equal(t, "ready", recv(t, lines))

	o := []Option{WithDir(dir), WithLogger(quietLogger())}
	s, primary, err := Acquire("xproc", o...)
	require.NoError(t, err)
	require.False(t, primary, "the child process is primary")
	require.NoError(t, s.Send(context.Background(), "tel:+4930123456"))
	assert.Equal(t, "link tel:+4930123456", recv(t, lines))
	require.NoError(t, Send(context.Background(), "xproc", "sip:100@pbx.example", o...))
	assert.Equal(t, "link sip:100@pbx.example", recv(t, lines))

	// When the primary exits, the next start becomes primary.
	stdin.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := Send(context.Background(), "xproc", "tel:1", o...)
		if errors.Is(err, ErrNotRunning) {
			break
		}
		require.True(t, time.Now().Before(deadline), "child still running: %v", err)
		time.Sleep(50 * time.Millisecond)
	}
	p, primary, err := Acquire("xproc", o...)
	require.NoError(t, err)
	assert.True(t, primary)
	require.NoError(t, p.Close())
}
