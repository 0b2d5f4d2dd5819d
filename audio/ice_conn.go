package audio

import (
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"time"
)

// muxConn lends the session's RTP socket to pion's UDP mux, so the ICE host candidate (and the
// server-reflexive one learnt through it) is the very address and port the SDP's c= and m= lines
// announce: a peer without ICE sends to the same socket. The mux must not close the socket (the
// session owns it), and it can be taken back (stop) when the peer turns out not to do ICE.
type muxConn struct {
	c       *net.UDPConn
	local   netip.AddrPort // what LocalAddr reports: the call's address, also on a socket bound to 0.0.0.0
	stopped atomic.Bool
	reading atomic.Int32
}

var _ net.PacketConn = (*muxConn)(nil)

func (m *muxConn) ReadFrom(b []byte) (int, net.Addr, error) {
	if m.stopped.Load() {
		return 0, nil, net.ErrClosed
	}
	m.reading.Add(1)
	defer m.reading.Add(-1)
	n, addr, err := m.c.ReadFrom(b)
	if err != nil {
		if m.stopped.Load() {
			return 0, nil, net.ErrClosed
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			// Run set a deadline in the past at the end of the call; the mux retries on
			// timeouts, so do not let it spin until the session closes.
			time.Sleep(FrameTime)
		}
	}
	return n, addr, err
}

func (m *muxConn) WriteTo(b []byte, addr net.Addr) (int, error) { return m.c.WriteTo(b, addr) }

// Close does not close the session's socket.
func (m *muxConn) Close() error { m.stopped.Store(true); return nil }

func (m *muxConn) LocalAddr() net.Addr {
	if m.local.IsValid() {
		return net.UDPAddrFromAddrPort(m.local)
	}
	return m.c.LocalAddr()
}
func (m *muxConn) SetDeadline(t time.Time) error      { return m.c.SetReadDeadline(t) }
func (m *muxConn) SetReadDeadline(t time.Time) error  { return m.c.SetReadDeadline(t) }
func (m *muxConn) SetWriteDeadline(t time.Time) error { return m.c.SetWriteDeadline(t) }

// stop takes the socket back from the mux: the mux's reader is woken and ends, and the socket
// is left without a deadline for today's plain receive path.
func (m *muxConn) stop() {
	m.stopped.Store(true)
	_ = m.c.SetReadDeadline(time.Unix(1, 0))
	for i := 0; i < 200 && m.reading.Load() > 0; i++ {
		time.Sleep(time.Millisecond)
	}
	_ = m.c.SetReadDeadline(time.Time{})
}
