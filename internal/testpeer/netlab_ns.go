//go:build linux

package testpeer

import (
	"fmt"
	"runtime"

	"golang.org/x/sys/unix"
)

// InNetns runs f on an OS thread that has joined the network namespace ns
// (empty: the test's own namespace). Sockets made by f stay in ns for their
// whole life, whichever thread uses them later: this is how a test talks to
// a server inside the lab, or puts a relay (internal/netem) in the router.
// f must create its sockets itself, not in goroutines it starts.
func InNetns(ns string, f func() error) error {
	if ns == "" {
		return f()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// The thread goes back to the scheduler only once it is back in its
		// own namespace. Letting it die instead would SIGKILL every child
		// started from it (Pdeathsig follows the forking thread).
		self, err := unix.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("own netns: %w", err)
			return
		}
		defer unix.Close(self)
		fd, err := unix.Open("/run/netns/"+ns, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open netns %s: %w", ns, err)
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("join netns %s: %w", ns, err)
			return
		}
		err = f()
		if unix.Setns(self, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		} // else: the goroutine ends locked and the thread with it
		errc <- err
	}()
	return <-errc
}
