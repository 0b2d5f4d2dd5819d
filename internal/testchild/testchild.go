// Package testchild runs a test again in a fresh child process of the test
// binary, for checks that need a process of their own: the first use of
// data loaded lazily, or the peak memory of a piece of work. Tests only.
//
//	func TestX(t *testing.T) {
//		if testchild.Is("TestX") {
//			… the work, in the child …
//			return
//		}
//		out := testchild.Run(t, "TestX")
//		… read what the child printed …
//	}
package testchild

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// env names the test a child process runs.
const env = "SOFTPHONE_TESTCHILD"

// Is reports whether this process is the child that Run started for test.
func Is(test string) bool { return os.Getenv(env) == test }

// Run runs test alone in a child process with the parent's environment,
// less the variables named in drop, and returns the child's combined
// output. A child that fails fails t.
func Run(t *testing.T, test string, drop ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name != env && !contains(drop, name) {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env+"="+test)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child process of %s failed: %v\n%s", test, err, out)
	}
	return string(out)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
