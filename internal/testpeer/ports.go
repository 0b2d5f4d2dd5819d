package testpeer

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"softphone/internal/filelock"
)

// Ports for the peers are chosen below the kernel's ephemeral range, so an
// outgoing connection of any test can never take one between the choice
// and the peer's bind: in CI, baresip once failed to start ("SIP Transport
// failed: Address already in use") on a port from a bind to port 0, the
// very range the kernel gives to outgoing connections. Each chosen port is
// claimed twice: in this test binary (given), and across the test binaries
// that go test runs side by side (a lock file held while the binary runs).
var given struct {
	sync.Mutex
	ports map[int]bool
	locks []*filelock.File // held while this binary runs
}

// claim marks ports as handed out, unless one of them already is, here or
// in another test binary.
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
	var locks []*filelock.File
	for _, p := range ports {
		l, err := lockPort(p)
		if err != nil {
			for _, l := range locks {
				l.Close()
			}
			return false
		}
		locks = append(locks, l)
	}
	for _, p := range ports {
		given.ports[p] = true
	}
	given.locks = append(given.locks, locks...)
	return true
}

// lockPort takes the lock on a file named for port, shared by all test
// binaries on the machine; the kernel drops it when this binary exits,
// even on a crash. Without the shared directory the claim is this
// binary's alone (a nil lock).
func lockPort(port int) (*filelock.File, error) {
	dir := portLockDir()
	if dir == "" {
		return nil, nil
	}
	l, err := filelock.OpenTry(filepath.Join(dir, strconv.Itoa(port)))
	if err != nil && !errors.Is(err, filelock.ErrLocked) {
		return nil, nil
	}
	return l, err
}

// portLockDir is the directory of the port lock files, made once; "" when
// it cannot be made.
var portLockDir = sync.OnceValue(func() string {
	dir := filepath.Join(os.TempDir(), "softphone-test-ports")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return dir
})

// ephemeralStart is the first port Linux gives to outgoing connections and
// to binds to port 0, or 0 when unknown (other systems). Read once.
var ephemeralStart = sync.OnceValue(func() int {
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
})

// candidate proposes a port to try: a random one between 20000 and the
// start of the ephemeral range, or, where that range starts too low to
// leave room, one the kernel just gave to a bind to port 0.
func candidate(t testing.TB) int {
	t.Helper()
	const low = 20000
	if start := ephemeralStart(); start > low+1000 {
		return low + rand.IntN(start-low-1)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// reserve returns a port p where p … p+n-1 take a TCP and a UDP listener
// on 127.0.0.1 and none was handed out before, in this test binary or in
// another one still running.
func reserve(t testing.TB, n int) int {
	t.Helper()
next:
	for range 200 {
		p := candidate(t)
		if p+n-1 > 65535 {
			continue
		}
		for i := range n {
			if !bindable(p + i) {
				continue next
			}
		}
		ports := make([]int, n)
		for i := range ports {
			ports[i] = p + i
		}
		if claim(ports...) {
			return p
		}
	}
	t.Fatalf("no %d free port(s) on 127.0.0.1 that were not handed out already", n)
	return 0
}

// FreePort returns a port on 127.0.0.1 free a moment ago for TCP and UDP
// that no other call, in this test binary or in one beside it, has
// returned.
func FreePort(t testing.TB) int {
	t.Helper()
	return reserve(t, 1)
}

// FreeUDPPort is FreePort, for a UDP listener (every port is checked for
// both).
func FreeUDPPort(t testing.TB) int {
	t.Helper()
	return FreePort(t)
}

// FreePortPair returns a port p where p and p+1 are free as FreePort's
// are: baresip listens for SIP on p and for SIP-TLS on p+1, and a busy p+1
// makes it fail to start.
func FreePortPair(t testing.TB) int {
	t.Helper()
	return reserve(t, 2)
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
