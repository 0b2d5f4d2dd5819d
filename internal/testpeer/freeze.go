package testpeer

import (
	"runtime"
	"testing"
)

// Freeze stops baresip (SIGSTOP) so that it keeps its connection but
// answers nothing, like a hung phone. It is thawed by Thaw or at the end of
// the test, before the process is stopped. Linux only; elsewhere it skips.
func (b *Baresip) Freeze(t testing.TB) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("freezing a process needs Linux")
	}
	freeze(b.proc.cmd)
	t.Cleanup(func() { thaw(b.proc.cmd) })
}

// Thaw continues a frozen baresip.
func (b *Baresip) Thaw() { thaw(b.proc.cmd) }
