//go:build linux

package audio

import (
	"net"
	"net/netip"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The media clock's socket calls never block (MSG_DONTWAIT), so they are made as raw system
// calls: a Go syscall that enters the runtime's syscall state wakes the sysmon thread from its
// deep sleep, which then polls every 20 µs while the tick runs — measured as ~450 of a call's
// ~720 context switches per second. A raw call that returns at once needs none of that.

// rawRecvmsg reads one datagram and its control messages without blocking.
func rawRecvmsg(fd uintptr, buf, oob []byte) (n, oobn int, err error) {
	var iov unix.Iovec
	iov.Base = &buf[0]
	iov.SetLen(len(buf))
	var msg unix.Msghdr
	msg.Iov = &iov
	msg.Iovlen = 1
	if len(oob) > 0 {
		msg.Control = &oob[0]
		msg.SetControllen(len(oob))
	}
	r, _, e := unix.RawSyscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&msg)), unix.MSG_DONTWAIT)
	if e != 0 {
		return 0, 0, e
	}
	return int(r), int(msg.Controllen), nil
}

// udpSender writes datagrams to one UDP socket with raw, non-blocking sendto calls. It is used
// by the media clock's goroutine only. The address and the write step live here, made once: a
// closure or a sockaddr per packet would escape to the heap (allocations per frame).
type udpSender struct {
	raw   syscall.RawConn
	inet6 bool // the socket is AF_INET6: IPv4 peers are written as v4-mapped addresses
	sa4   unix.RawSockaddrInet4
	sa6   unix.RawSockaddrInet6
	sa    unsafe.Pointer
	slen  uintptr
	pkt   []byte
	errno syscall.Errno
	write func(fd uintptr) bool
}

// newRawSender prepares raw sends on raw, the descriptor of c (perhaps detached from it:
// rtpdetach_linux.go); c tells the address family.
func newRawSender(raw syscall.RawConn, c *net.UDPConn) *udpSender {
	la, ok := c.LocalAddr().(*net.UDPAddr)
	if !ok {
		return nil
	}
	u := &udpSender{raw: raw, inet6: la.IP.To4() == nil}
	u.write = u.sendOnce
	return u
}

// newRTPSender prepares the media clock's raw sends on the RTP socket, or returns nil.
func (s *Session) newRTPSender() *udpSender {
	raw, err := s.rtpSyscallConn()
	if err != nil {
		return nil
	}
	return newRawSender(raw, s.rtpConn)
}

// sendOnce is one non-blocking sendto on fd; it never asks raw.Write to wait.
func (u *udpSender) sendOnce(fd uintptr) bool {
	var p unsafe.Pointer // nil for an empty datagram (a DTLS punch)
	if len(u.pkt) > 0 {
		p = unsafe.Pointer(&u.pkt[0])
	}
	_, _, u.errno = unix.RawSyscall6(unix.SYS_SENDTO, fd, uintptr(p), uintptr(len(u.pkt)),
		unix.MSG_DONTWAIT, uintptr(u.sa), u.slen)
	return true
}

// send writes pkt to to. A full socket buffer is reported as EAGAIN (the packet is dropped,
// as the kernel would drop it on the way anyway).
func (u *udpSender) send(pkt []byte, to netip.AddrPort) error {
	port := to.Port()
	addr := to.Addr()
	switch {
	case addr.Is4() && !u.inet6:
		u.sa4.Family = unix.AF_INET
		u.sa4.Addr = addr.As4()
		p := (*[2]byte)(unsafe.Pointer(&u.sa4.Port))
		p[0], p[1] = byte(port>>8), byte(port)
		u.sa, u.slen = unsafe.Pointer(&u.sa4), unsafe.Sizeof(u.sa4)
	case u.inet6:
		u.sa6.Family = unix.AF_INET6
		u.sa6.Addr = addr.As16() // a v4 address becomes v4-mapped
		p := (*[2]byte)(unsafe.Pointer(&u.sa6.Port))
		p[0], p[1] = byte(port>>8), byte(port)
		u.sa, u.slen = unsafe.Pointer(&u.sa6), unsafe.Sizeof(u.sa6)
	default:
		return unix.EAFNOSUPPORT // an IPv6 peer on an IPv4 socket
	}
	u.pkt = pkt
	err := u.raw.Write(u.write)
	u.pkt = nil
	if err != nil {
		return err // closed
	}
	if u.errno != 0 {
		return u.errno
	}
	return nil
}

// writeRTP is the plain-UDP fast path of sendRTP: a raw send when Run prepared one.
func (s *Session) writeRTP(pkt []byte, to netip.AddrPort) error {
	if u := s.rtpOut; u != nil {
		return u.send(pkt, to)
	}
	_, err := s.rtpConn.WriteToUDPAddrPort(pkt, to)
	return err
}

// writeRTPOther writes a datagram that is not the media clock's (DTLS records, punches) on the
// RTP socket, from any goroutine: through the net.UDPConn, or raw once Run detached the socket.
func (s *Session) writeRTPOther(b []byte, to netip.AddrPort) error {
	r := s.rtpRaw.Load()
	if r == nil {
		_, err := s.rtpConn.WriteToUDPAddrPort(b, to)
		return err
	}
	u := newRawSender(r, s.rtpConn) // a few records per call: no need to keep one
	if u == nil {
		return net.ErrClosed
	}
	return u.send(b, to)
}
