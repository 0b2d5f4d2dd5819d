package testpeer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Environment of a child started by StartChild.
const (
	childFlagEnv   = "TESTPEER_NETNS_CHILD"  // "1" in the child
	childResultEnv = "TESTPEER_CHILD_RESULT" // file the child's WriteResult fills
)

// Child is the current test re-run by its own test binary inside a network
// namespace (StartChild): everything the child does — our phone's SIP, TLS
// and RTP sockets included — lives in that namespace.
type Child struct {
	proc   *process
	result string
}

// InChild reports whether this process is a child started by StartChild.
// A test that uses StartChild begins with
//
//	if testpeer.InChild() { childPart(t); return }
//
// and reads its parameters with os.Getenv (the env given to StartChild).
func InChild() bool { return os.Getenv(childFlagEnv) == "1" }

// StartChild runs the current test binary inside ns with only the current
// test (t.Name(), subtests included) and env added to the environment. The
// child is stopped at the end of the test; its output is logged when the
// test fails. Wait for it with Wait; read what it wrote with Result.
func StartChild(t testing.TB, ns string, env map[string]string) *Child {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("test binary: %v", err)
	}
	parts := strings.Split(t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	result := filepath.Join(t.TempDir(), "child-result.json")
	cmd := NetnsCommand(ns, exe, "-test.run", strings.Join(parts, "/"), "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childFlagEnv+"=1", childResultEnv+"="+result)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return &Child{proc: startProcess(t, "child "+t.Name()+" in "+ns, cmd), result: result}
}

// Wait waits for the child to end and fails the test when it failed or
// did not end within timeout.
func (c *Child) Wait(t testing.TB, timeout time.Duration) {
	t.Helper()
	select {
	case <-c.proc.done:
	case <-time.After(timeout):
		c.proc.stop()
		t.Fatalf("%s did not end within %v:\n%s", c.proc.name, timeout, tail(c.Log(), 30000))
	}
	if c.proc.err != nil {
		t.Fatalf("%s failed (%v):\n%s", c.proc.name, c.proc.err, tail(c.Log(), 30000))
	}
}

// Log returns the child's output so far (go test -v output).
func (c *Child) Log() string { return c.proc.log.String() }

// WaitLog waits until the child's output matches re.
func (c *Child) WaitLog(t testing.TB, re string, timeout time.Duration) string {
	t.Helper()
	m, _, ok := c.proc.log.wait(regexp.MustCompile(re), 0, timeout)
	if !ok {
		t.Fatalf("%s output did not match %q within %v:\n%s", c.proc.name, re, timeout, tail(c.Log(), 30000))
	}
	return m
}

// Result decodes what the child passed to WriteResult into v.
func (c *Child) Result(t testing.TB, v any) {
	t.Helper()
	b, err := os.ReadFile(c.result)
	if err != nil {
		t.Fatalf("%s wrote no result: %v\n%s", c.proc.name, err, tail(c.Log(), 30000))
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s result: %v", c.proc.name, err)
	}
}

// WriteResult, in the child, hands v (JSON) to the parent's Result.
func WriteResult(t testing.TB, v any) {
	t.Helper()
	path := os.Getenv(childResultEnv)
	if path == "" {
		t.Fatal("WriteResult outside a StartChild child")
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
