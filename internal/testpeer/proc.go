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

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// FreePortPair returns a port p on 127.0.0.1 where p and p+1 were free a
// moment ago (TCP and UDP): baresip listens for SIP on p and for SIP-TLS on
// p+1, and a busy p+1 makes it fail to start.
func FreePortPair(t testing.TB) int {
	t.Helper()
	for range 50 {
		p := FreePort(t)
		ok := true
		for _, port := range []int{p, p + 1} {
			for _, network := range []string{"tcp", "udp"} {
				addr := fmt.Sprintf("127.0.0.1:%d", port)
				if network == "tcp" {
					l, err := net.Listen(network, addr)
					if err != nil {
						ok = false
						continue
					}
					l.Close()
				} else {
					c, err := net.ListenPacket(network, addr)
					if err != nil {
						ok = false
						continue
					}
					c.Close()
				}
			}
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free port pair on 127.0.0.1")
	return 0
}

// FreeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free UDP port: %v", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
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

// waitTCP waits until addr accepts a TCP connection or p exits.
func waitTCP(t testing.TB, p *process, addr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if p.exited() {
			t.Fatalf("%s exited early (%v):\n%s", p.name, p.err, tail(p.log.String(), 20000))
		}
		c, err := DialNetns(p.ns, "tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not accept on %s within %v:\n%s", p.name, addr, timeout, tail(p.log.String(), 20000))
}

// cfgQuote quotes s for a Kamailio or baresip config string.
func cfgQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
