//go:build linux

package audio

import (
	"encoding/binary"
	"errors"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rxPoller drains the RTP socket from the media clock's goroutine: once per 20 ms tick it reads
// every datagram queued, without blocking, so receiving needs no goroutine of its own and no
// wake-up per packet (half of a call's scheduler wake-ups, the main CPU cost of a call). The
// kernel stamps each datagram's arrival (SO_TIMESTAMPNS), so the jitter estimate sees the real
// arrival times, not the tick's.
type rxPoller struct {
	raw  syscall.RawConn
	buf  [1500]byte
	oob  [64]byte
	recv rtpReceiver
}

// newRxPoller prepares polled receiving, or returns nil (then rxLoop runs as a goroutine).
func (s *Session) newRxPoller() *rxPoller {
	raw, err := s.rtpConn.SyscallConn()
	if err != nil {
		return nil
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return nil
	}
	return &rxPoller{raw: raw}
}

// drain reads and handles every datagram waiting on the socket. It returns a socket error that
// ends the call (the socket was closed), nil otherwise.
func (p *rxPoller) drain(s *Session, now time.Time) error {
	for {
		var n, oobn int
		var rerr error
		err := p.raw.Read(func(fd uintptr) bool {
			n, oobn, rerr = rawRecvmsg(fd, p.buf[:], p.oob[:])
			return true // never wait: the next tick looks again
		})
		if err != nil {
			return err // closed
		}
		switch {
		case errors.Is(rerr, unix.EAGAIN), errors.Is(rerr, unix.EWOULDBLOCK):
			return nil
		case rerr != nil:
			continue // e.g. ECONNREFUSED from an ICMP error: keep reading
		}
		s.receiveRTP(&p.recv, p.buf[:n], arrival(p.oob[:oobn], now))
	}
}

// arrival is the kernel's receive timestamp of a datagram, or now when it has none.
func arrival(oob []byte, now time.Time) time.Time {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return now
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= 16 && unsafe.Sizeof(unix.Timespec{}) == 16 {
			t := time.Unix(int64(binary.NativeEndian.Uint64(m.Data[0:])), int64(binary.NativeEndian.Uint64(m.Data[8:])))
			// Keep the monotonic clock: express the stamp as an offset from now.
			if d := now.Sub(t); d >= 0 && d < time.Second {
				return now.Add(-d)
			}
			return now
		}
	}
	return now
}
