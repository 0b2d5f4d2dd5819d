package audio

import (
	"net"
	"os"
	"sync"
	"time"

	"github.com/pion/transport/v5/deadline"
)

// dtlsQueue is how many DTLS records wait for the handshake goroutine; a flight is a few
// records, and more are retransmitted if dropped.
const dtlsQueue = 32

// dtlsPacketConn is the net.PacketConn a DTLS association runs over: DTLS-SRTP shares the media
// flow (same 5-tuple as RTP, RFC 5764 section 5.1.2), so the session's receive path hands it the
// records it demultiplexes (RFC 7983: first byte 20..63) and writes go out of the media socket.
type dtlsPacketConn struct {
	in     chan []byte // written by the receive path (deliver), read by the DTLS conn
	send   func([]byte) error
	local  net.Addr
	remote net.Addr
	rd     *deadline.Deadline
	done   chan struct{}
	once   sync.Once
}

func newDTLSPacketConn(local net.Addr, send func([]byte) error) *dtlsPacketConn {
	return &dtlsPacketConn{in: make(chan []byte, dtlsQueue), send: send, local: local,
		rd: deadline.New(), done: make(chan struct{})}
}

// deliver queues a copy of a received record; it never blocks (a full queue drops the record,
// DTLS retransmits it).
func (c *dtlsPacketConn) deliver(rec []byte) {
	select {
	case c.in <- append([]byte(nil), rec...):
	default:
	}
}

// ReadFrom returns the next record.
func (c *dtlsPacketConn) ReadFrom(b []byte) (int, net.Addr, error) {
	select {
	case <-c.done:
		return 0, nil, net.ErrClosed
	default:
	}
	select {
	case rec := <-c.in:
		return copy(b, rec), c.remote, nil
	case <-c.rd.Done():
		return 0, nil, os.ErrDeadlineExceeded
	case <-c.done:
		return 0, nil, net.ErrClosed
	}
}

// WriteTo sends a record to the peer of the media flow (the address is the SDP's).
func (c *dtlsPacketConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	select {
	case <-c.done:
		return 0, net.ErrClosed
	default:
	}
	if err := c.send(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// Close stops reads and writes; it does not close the media socket. It is idempotent.
func (c *dtlsPacketConn) Close() error {
	c.once.Do(func() { close(c.done) })
	return nil
}

// LocalAddr is the media socket's address.
func (c *dtlsPacketConn) LocalAddr() net.Addr { return c.local }

// SetDeadline sets the read deadline (writes do not block).
func (c *dtlsPacketConn) SetDeadline(t time.Time) error { return c.SetReadDeadline(t) }

// SetReadDeadline interrupts a waiting ReadFrom at t.
func (c *dtlsPacketConn) SetReadDeadline(t time.Time) error {
	c.rd.Set(t)
	return nil
}

// SetWriteDeadline is a no-op: writes do not block.
func (c *dtlsPacketConn) SetWriteDeadline(time.Time) error { return nil }
