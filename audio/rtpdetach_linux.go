//go:build linux

package audio

import (
	"net"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// A call without ICE reads its RTP socket only from the media clock's tick, but a socket of a
// net.UDPConn stays registered with the Go netpoller, whose thread then wakes for every datagram
// that arrives (a third of a call's wake-ups) only to find nobody waiting. So Run takes the
// socket out of the netpoller: it keeps a duplicate descriptor and closes the net.UDPConn
// (which is what unregisters it). ICE keeps the net.UDPConn: pion's mux reads it, blocking.

// rawSock is the RTP socket once Run took it out of the netpoller. It implements
// syscall.RawConn for the tick's raw, non-blocking calls; the lock keeps the descriptor from
// being closed (and its number reused) under a call in flight, as net's own fd lock does.
type rawSock struct {
	mu     sync.RWMutex
	fd     int
	closed bool
}

var _ syscall.RawConn = (*rawSock)(nil)

// Control calls f with the descriptor, unless the socket is closed.
func (r *rawSock) Control(f func(fd uintptr)) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return net.ErrClosed
	}
	f(uintptr(r.fd))
	return nil
}

// Read calls f once, as Control: the callers' f never waits (it reads with MSG_DONTWAIT and
// reports done).
func (r *rawSock) Read(f func(fd uintptr) bool) error {
	return r.Control(func(fd uintptr) { f(fd) })
}

// Write calls f once, like Read.
func (r *rawSock) Write(f func(fd uintptr) bool) error { return r.Read(f) }

func (r *rawSock) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	return unix.Close(r.fd)
}

// detachRTP takes the RTP socket out of the netpoller for a call whose media does not use ICE
// (Run calls it once, before its goroutines start). Where that fails the call goes on through
// the net.UDPConn.
func (s *Session) detachRTP() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.nat.mux != nil || s.rtpRaw.Load() != nil {
		return // an ICE mux still holds the socket
	}
	raw, err := s.rtpConn.SyscallConn()
	if err != nil {
		return
	}
	fd, derr := -1, error(nil)
	if err := raw.Control(func(f uintptr) { fd, derr = unix.FcntlInt(f, unix.F_DUPFD_CLOEXEC, 0) }); err != nil || derr != nil {
		return
	}
	if err := s.rtpConn.Close(); err != nil {
		_ = unix.Close(fd)
		return
	}
	s.rtpRaw.Store(&rawSock{fd: fd})
}

// rtpSyscallConn is the RTP socket for raw calls: the detached one, else the net.UDPConn's.
func (s *Session) rtpSyscallConn() (syscall.RawConn, error) {
	if r := s.rtpRaw.Load(); r != nil {
		return r, nil
	}
	return s.rtpConn.SyscallConn()
}

// closeRTP closes the RTP socket (Close).
func (s *Session) closeRTP() error {
	if r := s.rtpRaw.Load(); r != nil {
		return r.close() // the net.UDPConn was closed when it was detached
	}
	return s.rtpConn.Close()
}
