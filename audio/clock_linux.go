//go:build linux

package audio

import (
	"context"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// timerfdClock paces the media clock with a kernel timer (timerfd) that the Go netpoller
// watches, instead of a Go timer. A Go timer that wakes a goroutine makes the runtime start a
// second, spinning thread (there is an idle P) and wakes the sysmon thread at every expiry:
// three threads woken per 20 ms frame. A readable timerfd hands the media goroutine straight
// to the thread that was waiting in epoll, so a frame costs one wake-up, and with no Go timer
// due sysmon stays in its deep sleep.
type timerfdClock struct {
	f    *os.File
	raw  syscall.RawConn
	buf  [8]byte
	rerr syscall.Errno
	read func(fd uintptr) bool // made once: a closure per wait would escape to the heap
	stop func() bool
}

// newFrameClock returns a clock that ticks every period until ctx ends; a timerfd one on
// Linux, a Go ticker where the kernel refuses a timerfd.
func newFrameClock(ctx context.Context, period time.Duration) frameClock {
	c, err := newTimerfdClock(ctx, period)
	if err != nil {
		return newTickerClock(ctx, period)
	}
	return c
}

func newTimerfdClock(ctx context.Context, period time.Duration) (*timerfdClock, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	ts := unix.NsecToTimespec(int64(period))
	if err := unix.TimerfdSettime(fd, 0, &unix.ItimerSpec{Interval: ts, Value: ts}, nil); err != nil {
		_ = unix.Close(fd)
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "media-clock") // non-blocking: registered with the netpoller
	raw, err := f.SyscallConn()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	c := &timerfdClock{f: f, raw: raw}
	c.read = c.readOnce
	// The end of the call wakes a waiting wait (a deadline in the past).
	c.stop = context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Unix(1, 0)) })
	return c, nil
}

// readOnce is one raw, non-blocking read of the expiry count; false (nothing due yet) makes
// raw.Read park the goroutine in the netpoller until the timer fires.
func (c *timerfdClock) readOnce(fd uintptr) bool {
	_, _, c.rerr = unix.RawSyscall(unix.SYS_READ, fd, uintptr(unsafe.Pointer(&c.buf[0])), uintptr(len(c.buf)))
	return c.rerr != unix.EAGAIN
}

// wait blocks until the timer fired at least once since the last wait; false when the clock
// was stopped (ctx ended) or failed.
func (c *timerfdClock) wait() bool {
	if err := c.raw.Read(c.read); err != nil {
		return false
	}
	return c.rerr == 0
}

func (c *timerfdClock) close() {
	c.stop()
	_ = c.f.Close()
}
