//go:build linux

package audio

import (
	"encoding/binary"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rxPoller drains a media socket (RTP, or RTCP) from the media clock's goroutine: once per 20 ms
// tick it reads every datagram queued, without blocking, so receiving needs no goroutine of its
// own and no wake-up per packet (half of a call's scheduler wake-ups, the main CPU cost of a
// call). The kernel stamps each datagram's arrival (SO_TIMESTAMPNS), so the jitter estimate and
// the RTCP round trip see the real arrival times, not the tick's.
type rxPoller struct {
	raw  syscall.RawConn
	buf  [1500]byte
	oob  [64]byte
	recv rtpReceiver
	dec  []byte // RTCP decryption scratch
	// The read step, the handler and the results live here, made once: a closure per call to
	// raw.Read would escape to the heap (one allocation per datagram).
	read    func(fd uintptr) bool
	deliver func(pkt []byte, at time.Time)
	n, oobn int
	rerr    error
}

// newRxPoller prepares polled receiving of RTP, or returns nil (then rxLoop runs as a goroutine).
func (s *Session) newRxPoller() *rxPoller {
	p := newSockPoller(s.rtpSyscallConn()) // detached from the netpoller when the call has no ICE
	if p != nil {
		p.deliver = func(pkt []byte, at time.Time) { s.receiveRTP(&p.recv, pkt, at) }
	}
	return p
}

// newRTCPPoller prepares polled receiving of RTCP, or returns nil (then rtcpRxLoop runs as a
// goroutine).
func (s *Session) newRTCPPoller() *rxPoller {
	p := newSockPoller(s.rtcpConn.SyscallConn())
	if p != nil {
		p.dec = make([]byte, 0, 1500)
		p.deliver = func(pkt []byte, at time.Time) { s.receiveRTCP(p.dec, pkt, at) }
	}
	return p
}

// newSockPoller makes the poller of a socket (raw, err: its SyscallConn) with kernel arrival
// stamps switched on, or returns nil.
func newSockPoller(raw syscall.RawConn, err error) *rxPoller {
	if err != nil {
		return nil
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return nil
	}
	p := &rxPoller{raw: raw}
	p.read = p.readOnce
	return p
}

// readOnce is one non-blocking recvmsg on fd; it never asks raw.Read to wait.
func (p *rxPoller) readOnce(fd uintptr) bool {
	p.n, p.oobn, p.rerr = rawRecvmsg(fd, p.buf[:], p.oob[:])
	return true
}

// drain reads and handles every datagram waiting on the socket. It returns a socket error that
// ends the call (the socket was closed), nil otherwise.
func (p *rxPoller) drain(now time.Time) error {
	for {
		if err := p.raw.Read(p.read); err != nil { // never waits: the next tick looks again
			return err // closed
		}
		switch {
		case p.rerr == unix.EAGAIN || p.rerr == unix.EWOULDBLOCK:
			return nil
		case p.rerr != nil:
			continue // e.g. ECONNREFUSED from an ICMP error: keep reading
		}
		p.deliver(p.buf[:p.n], arrival(p.oob[:p.oobn], now))
	}
}

// arrival is the kernel's receive timestamp of a datagram, or now when it has none. The control
// messages are walked in place (unix.ParseSocketControlMessage allocates per datagram).
func arrival(oob []byte, now time.Time) time.Time {
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		if h.Len < unix.SizeofCmsghdr || int(h.Len) > len(oob) {
			return now
		}
		data := oob[unix.CmsgLen(0):h.Len]
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && len(data) >= 16 && unsafe.Sizeof(unix.Timespec{}) == 16 {
			t := time.Unix(int64(binary.NativeEndian.Uint64(data[0:])), int64(binary.NativeEndian.Uint64(data[8:])))
			// Keep the monotonic clock: express the stamp as an offset from now.
			if d := now.Sub(t); d >= 0 && d < time.Second {
				return now.Add(-d)
			}
			return now
		}
		next := unix.CmsgSpace(int(h.Len) - unix.CmsgLen(0))
		if next > len(oob) {
			return now
		}
		oob = oob[next:]
	}
	return now
}
