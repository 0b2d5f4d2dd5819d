package testpeer

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// given holds every port this test binary has handed out. The kernel may
// give a port closed a moment ago to the very next bind to port 0, so two
// calls could return the same port: Kamailio's TLS and TCP listeners once
// got one port between them, and Kamailio failed to start ("Address already
// in use").
var given struct {
	sync.Mutex
	ports map[int]bool
}

// claim marks ports as handed out, unless one of them already is.
func claim(ports ...int) bool {
	given.Lock()
	defer given.Unlock()
	if given.ports == nil {
		given.ports = make(map[int]bool)
	}
	for _, p := range ports {
		if given.ports[p] {
			return false
		}
	}
	for _, p := range ports {
		given.ports[p] = true
	}
	return true
}

// freePort asks the kernel for a port on 127.0.0.1 that was free a moment
// ago, closes it, and returns it.
func freePort(t testing.TB, network string) int {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("free UDP port: %v", err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago and
// that no other call in this test binary has returned.
func FreePort(t testing.TB) int {
	t.Helper()
	return unclaimedPort(t, "tcp")
}

// unclaimedPort returns a port free a moment ago for network ("tcp" or
// "udp") that no other call in this test binary has returned.
func unclaimedPort(t testing.TB, network string) int {
	t.Helper()
	for range 100 {
		if p := freePort(t, network); claim(p) {
			return p
		}
	}
	t.Fatalf("no free %s port on 127.0.0.1 that was not handed out already", network)
	return 0
}

// FreePortPair returns a port p on 127.0.0.1 where p and p+1 were free a
// moment ago (TCP and UDP) and neither was handed out before: baresip
// listens for SIP on p and for SIP-TLS on p+1, and a busy p+1 makes it fail
// to start.
func FreePortPair(t testing.TB) int {
	t.Helper()
	for range 50 {
		p := freePort(t, "tcp")
		if bindable(p) && bindable(p+1) && claim(p, p+1) {
			return p
		}
	}
	t.Fatal("no free port pair on 127.0.0.1")
	return 0
}

// bindable reports whether port on 127.0.0.1 takes a TCP and a UDP listener.
func bindable(port int) bool {
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	l.Close()
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago and
// that no other call in this test binary has returned.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	return unclaimedPort(t, "udp")
}

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
