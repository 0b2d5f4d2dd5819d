//go:build linux

package benchcmp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// line is one line of a child's output with the time it arrived.
type line struct {
	At   time.Time
	Text string
	JSON map[string]any // the line parsed as a JSON object, or nil
}

// child is a measured process started by the benchmark. Its stdout (and
// stderr) are read line by line and every line is stamped on arrival, so
// "time from exec to line X" is measured here, outside the product.
type child struct {
	name    string
	cmd     *exec.Cmd
	Started time.Time // just before exec
	stdin   io.WriteCloser

	mu    sync.Mutex
	lines []line
	more  chan struct{} // closed and replaced on every new line
	done  chan struct{} // closed when the process has exited
	err   error         // its exit status, set before done closes
	log   bytes.Buffer  // everything, for failure messages
}

// startChild starts cmd and stops it in t.Cleanup (SIGTERM, then SIGKILL).
func startChild(t testing.TB, name string, cmd *exec.Cmd) *child {
	t.Helper()
	c := &child{name: name, cmd: cmd, more: make(chan struct{}), done: make(chan struct{})}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdin = stdin
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	c.Started = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			l := line{At: time.Now(), Text: sc.Text()}
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				l.JSON = m
			}
			c.mu.Lock()
			c.lines = append(c.lines, l)
			c.log.WriteString(l.Text + "\n")
			close(c.more)
			c.more = make(chan struct{})
			c.mu.Unlock()
		}
	}()
	go func() {
		err := cmd.Wait()
		pw.Close()
		<-read
		c.mu.Lock()
		c.err = err
		c.mu.Unlock()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.stop()
		if os.Getenv("BENCH_TRACE") != "" {
			fmt.Fprintf(os.Stdout, "---- %s, lines by time since exec ----\n%s", name, c.trace())
		}
		if t.Failed() {
			t.Logf("---- %s output ----\n%s---- end of %s ----", name, c.output(), name)
		}
	})
	return c
}

// Pid is the child's process id.
func (c *child) Pid() int { return c.cmd.Process.Pid }

func (c *child) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.log.String()
}

// stop ends the child's process group and waits for it.
func (c *child) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	c.stdin.Close()
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
	}
}

// wait waits until the child exits or timeout passes and returns whether
// it exited.
func (c *child) wait(timeout time.Duration) bool {
	select {
	case <-c.done:
		return true
	case <-time.After(timeout):
		return false
	}
}

// waitLine returns the first line after index from that match accepts,
// and the index after it. It fails the benchmark when the child exits
// first or timeout passes.
func (c *child) waitLine(t testing.TB, from int, what string, timeout time.Duration, match func(line) bool) (line, int) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		for i := from; i < len(c.lines); i++ {
			if match(c.lines[i]) {
				l := c.lines[i]
				c.mu.Unlock()
				return l, i + 1
			}
		}
		from = len(c.lines)
		more := c.more
		c.mu.Unlock()
		select {
		case <-more:
		case <-c.done:
			c.mu.Lock()
			n := len(c.lines)
			c.mu.Unlock()
			if n == from {
				t.Fatalf("%s exited (%v) before %s", c.name, c.err, what)
			}
		case <-deadline:
			t.Fatalf("%s: no %s within %v", c.name, what, timeout)
		}
	}
}

// waitEvent waits for a JSON line {"event": name, …} whose fields also
// equal want.
func (c *child) waitEvent(t testing.TB, from int, name string, want map[string]any, timeout time.Duration) (line, int) {
	t.Helper()
	what := fmt.Sprintf("%q event %v", name, want)
	return c.waitLine(t, from, what, timeout, func(l line) bool {
		if l.JSON == nil || l.JSON["event"] != name {
			return false
		}
		for k, v := range want {
			if l.JSON[k] != v {
				return false
			}
		}
		return true
	})
}

// waitRegexp waits for a line matching re.
func (c *child) waitRegexp(t testing.TB, from int, re *regexp.Regexp, timeout time.Duration) (line, int) {
	t.Helper()
	return c.waitLine(t, from, "a line matching "+re.String(), timeout, func(l line) bool { return re.MatchString(l.Text) })
}

// trace returns every line with its time since exec, for BENCH_TRACE.
func (c *child) trace() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var b bytes.Buffer
	for _, l := range c.lines {
		fmt.Fprintf(&b, "%9.3f ms  %s\n", float64(l.At.Sub(c.Started).Microseconds())/1000, l.Text)
	}
	return b.String()
}

// events returns the JSON lines named name seen so far.
func (c *child) events(name string) []map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []map[string]any
	for _, l := range c.lines {
		if l.JSON != nil && l.JSON["event"] == name {
			out = append(out, l.JSON)
		}
	}
	return out
}
