// Package testchild runs a test again in a fresh child process of the test
// binary (or of an installed copy of it), for checks that need a process of
// their own: the first use of data loaded lazily, the peak memory of a piece
// of work, or resident memory. Tests only.
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
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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
	return run(t, os.Args[0], test, drop)
}

// RunInstalled is Run on an installed copy of the test binary
// (InstallCopy), for checks of resident memory.
func RunInstalled(t *testing.T, test string, drop ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), filepath.Base(os.Args[0]))
	if err := InstallCopy(os.Args[0], bin); err != nil {
		t.Fatalf("copy of the test binary: %v", err)
	}
	return run(t, bin, test, drop)
}

// InstallCopy copies the binary src to dst with plain write()s, the way
// install(1), a package manager or an MSI puts it on a machine; measured
// processes run such a copy. The file the Go linker wrote is not what
// users run, and it is not even measured the same: the linker writes its
// output through a shared mmap, and on recent kernels (6.x, ext4 with
// large folios) those pages stay in the page cache as 2 MiB folios, so a
// process that touches one byte of the text maps 2 MiB of it (FilePmdMapped
// in /proc/PID/smaps) where the written copy maps the usual 64 KiB
// fault-around. Measured on one build of the softphone: about 37 MB RSS
// (30 MB file) when run straight from the linker's output, 27 MB (20 MB
// file) from the copy.
func InstallCopy(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(struct{ io.Writer }{out}, in); err != nil { // plain writes, no copy_file_range
		out.Close()
		return fmt.Errorf("install copy of %s: %w", src, err)
	}
	return out.Close()
}

func run(t *testing.T, bin, test string, drop []string) string {
	t.Helper()
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.count=1", "-test.v")
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
