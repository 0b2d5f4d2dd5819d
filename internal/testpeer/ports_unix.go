//go:build unix

package testpeer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// held keeps the lock files open: closing one, or its finalizer, would drop
// its lock while the port is in use.
var held struct {
	sync.Mutex
	files []*os.File
}

// lockPort takes an exclusive lock on a file named for port, shared by all
// test binaries on the machine, and keeps it until unlock or until this
// binary exits (the kernel drops the lock then, even on a crash).
func lockPort(port int) (unlock func(), ok bool) {
	dir := filepath.Join(os.TempDir(), "softphone-test-ports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return func() {}, true // no shared directory: this binary's claim only
	}
	f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(port)), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return func() {}, true
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	held.Lock()
	held.files = append(held.files, f)
	held.Unlock()
	return func() { f.Close() }, true
}

// ephemeralStart is the first port the kernel gives to outgoing
// connections and binds to port 0, or 0 when unknown.
func ephemeralStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0
	}
	n, _ := strconv.Atoi(f[0])
	return n
}
