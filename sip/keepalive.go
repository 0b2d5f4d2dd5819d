package sip

import (
	"errors"
	"io"
	"time"

	"github.com/emiago/sipgo/sip"
)

// readFilter sees every chunk sipgo reads from a connection, before
// parsing. It notes when data arrived on the registered flow, and counts
// the CRLF pongs (RFC 5626 §3.5.1) that sipgo would swallow unseen. It
// never changes the data.
func (u *UA) readFilter(p sip.TransportReadProps, data []byte) ([]byte, error) {
	if p.RemoteAddr == nil {
		return data, nil
	}
	key, _ := u.flowKey.Load().(string)
	if key == "" || p.RemoteAddr.String() != key {
		return data, nil
	}
	u.flowRx.Store(time.Now().UnixNano())
	if len(data) == 2 && data[0] == '\r' && data[1] == '\n' {
		u.pongs.Add(1)
	}
	return data, nil
}

// Pongs returns how many CRLF keep-alive answers arrived on the registered
// flow (a server that answers our double-CRLF pings; tests and logs).
func (u *UA) Pongs() uint64 { return u.pongs.Load() }

// flowAlive reports whether the connection we registered on is still open.
func (u *UA) flowAlive() bool {
	u.mu.Lock()
	remote := u.flowRemote
	u.mu.Unlock()
	if remote == "" {
		return true // UDP: nothing to watch
	}
	conn, err := u.sua.TransportLayer().GetConnection(u.transport, remote)
	if err != nil || conn == nil {
		return false
	}
	_, _ = conn.TryClose() // GetConnection took a reference
	return true
}

// sendKeepAlive writes an RFC 5626 §3.5.1 double-CRLF ping on the flow.
// The server's CRLF pong (or any message) is seen by readFilter.
func (u *UA) sendKeepAlive() error {
	u.mu.Lock()
	remote := u.flowRemote
	u.mu.Unlock()
	if remote == "" {
		return nil
	}
	conn, err := u.sua.TransportLayer().GetConnection(u.transport, remote)
	if err != nil || conn == nil {
		return ErrConnectionLost
	}
	defer func() { _, _ = conn.TryClose() }()
	w, ok := conn.(io.Writer)
	if !ok {
		return errors.New("connection does not support raw writes")
	}
	_, err = w.Write([]byte("\r\n\r\n"))
	return err
}

// dropFlow closes the registered connection (a dead NAT mapping, an
// address that went away) so that sipgo forgets it and the next request
// opens a new one.
func (u *UA) dropFlow() {
	u.mu.Lock()
	remote := u.flowRemote
	u.mu.Unlock()
	if remote == "" {
		return
	}
	tl := u.sua.TransportLayer()
	conn, err := tl.GetConnection(u.transport, remote)
	if err != nil || conn == nil {
		return
	}
	// Out of sipgo's pool now, not when the connection's read loop notices the close: a
	// REGISTER right after (Reconnect) must dial a new flow, not be handed this closed one
	// ("use of closed network connection"). CloseAndDelete closes whatever the reference count
	// (GetConnection took one).
	if pool := tl.Pool(u.transport); pool != nil {
		_ = pool.CloseAndDelete(conn, remote)
		return
	}
	_ = conn.Close()
}

// pingState tracks one outstanding keep-alive.
type pingState struct {
	sent    time.Time // zero when no ping waits for its pong
	failed  bool      // the last ping could not be written
	timeout time.Duration
}

// reset forgets the outstanding ping (a new flow).
func (p *pingState) reset() { p.sent, p.failed = time.Time{}, false }

// dead reports whether the ping sent at p.sent went unanswered for the
// timeout: nothing arrived on the flow since (lastRx is flowRx).
func (p *pingState) dead(now time.Time, lastRx int64) bool {
	if p.failed {
		return true
	}
	if p.sent.IsZero() {
		return false
	}
	if lastRx >= p.sent.UnixNano() {
		p.sent = time.Time{} // answered
		return false
	}
	return now.Sub(p.sent) >= p.timeout
}
