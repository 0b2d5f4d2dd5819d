package testpeer

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireBinary skips the test under -short or when name is not installed,
// and returns the binary's path.
func requireBinary(t testing.TB, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("skipping integration test with %s in -short mode", name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (apt-get install the package named in docs/INTEROP); skipping", name)
	}
	return p
}

// logBuffer collects a child's combined output and lets tests wait for a line.
type logBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	cond *sync.Cond
}

func newLogBuffer() *logBuffer {
	l := &logBuffer{}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// Write implements io.Writer for exec.Cmd.
func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	l.cond.Broadcast()
	return len(p), nil
}

// String returns everything logged so far.
func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// wait blocks until re matches the log after offset from, or timeout.
// It returns the match and the offset after it.
func (l *logBuffer) wait(re *regexp.Regexp, from int, timeout time.Duration) (string, int, bool) {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		l.mu.Lock()
		l.cond.Broadcast()
		l.mu.Unlock()
	})
	defer timer.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for {
		b := l.buf.Bytes()
		if from > len(b) {
			from = len(b)
		}
		if loc := re.FindIndex(b[from:]); loc != nil {
			return string(b[from+loc[0] : from+loc[1]]), from + loc[1], true
		}
		if time.Now().After(deadline) {
			return "", from, false
		}
		l.cond.Wait()
	}
}

// process is a started child with its log.
type process struct {
	name string
	ns   string // network namespace it runs in ("" for the test's own)
	cmd  *exec.Cmd
	log  *logBuffer
	done chan struct{}
	err  error // set before done closes
}

// startProcess starts cmd with output captured and registers cleanup that
// kills it (SIGTERM, then SIGKILL) and dumps its log when t failed.
func startProcess(t testing.TB, name string, cmd *exec.Cmd) *process {
	t.Helper()
	p := &process{name: name, cmd: cmd, log: newLogBuffer(), done: make(chan struct{})}
	cmd.Stdout = p.log
	cmd.Stderr = p.log
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("---- %s log ----\n%s\n---- end of %s log ----", name, tail(p.log.String(), 60000), name)
		}
	})
	return p
}

func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	terminate(p.cmd)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		kill(p.cmd)
		<-p.done
	}
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// waitTCP waits until addr accepts a TCP connection; it fails t when p
// exits first or the timeout passes.
func waitTCP(t testing.TB, p *process, addr string, timeout time.Duration) {
	t.Helper()
	switch waitAccepting(p, addr, timeout) {
	case accepting:
	case exited:
		t.Fatalf("%s exited early (%v):\n%s", p.name, p.err, tail(p.log.String(), 20000))
	default:
		t.Fatalf("%s did not accept on %s within %v:\n%s", p.name, addr, timeout, tail(p.log.String(), 20000))
	}
}

// How waitAccepting ended.
const (
	accepting = iota
	exited
	timedOut
)

// waitAccepting waits until addr accepts a TCP connection, p exits, or the
// timeout passes, and says which came first.
func waitAccepting(p *process, addr string, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p.exited() {
			return exited
		}
		if c, err := DialNetns(p.ns, "tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return accepting
		}
		time.Sleep(50 * time.Millisecond)
	}
	return timedOut
}

// cfgQuote quotes s for a Kamailio or baresip config string.
func cfgQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
