package sip_test

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"softphone/internal/testpeer"
	"softphone/sip"
)

// cutProxy forwards TCP from a local port to target and can cut every
// connection at once, like a NAT box forgetting its mappings.
type cutProxy struct {
	l      net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	reads  int // chunks read from clients (TLS records are opaque here)
	wg     sync.WaitGroup
}

func newCutProxy(t testing.TB, target string) *cutProxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{l: l, target: target}
	p.wg.Add(1)
	go p.serve()
	t.Cleanup(func() {
		l.Close()
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) addr() string { return p.l.Addr().String() }

func (p *cutProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); p.pump(s, c); s.Close() }()
		go func() { defer p.wg.Done(); _, _ = io.Copy(c, s); c.Close() }()
	}
}

// pump copies client to server and counts what it reads: with no call
// and no refresh due, every client record is a keep-alive.
func (p *cutProxy) pump(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			p.reads++
			p.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *cutProxy) readCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reads
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestReRegisterAfterConnectionLoss cuts the TLS connection under a
// registered UA and expects it to notice, report StateRetrying with
// ErrConnectionLost, and register again over a new connection.
func TestReRegisterAfterConnectionLoss(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw"})
	proxy := newCutProxy(t, k.Addr)
	cfg := uaConfig(t, k, "alice", "alice-pw")
	cfg.Server = proxy.addr() // the certificate also names 127.0.0.1
	cfg.RetryMax = 2 * time.Second
	cfg.KeepAlive = 200 * time.Millisecond
	ua := newUA(t, cfg)
	states := watchStates(ua)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ua.Register(ctx); err != nil {
		t.Fatalf("Register: %v", err)
	}
	before := k.Contacts(t, "alice")
	// Expires is 1 min, so the only traffic in the next second is the
	// CRLF keep-alive (RFC 5626 §3.5.1) every 200 ms.
	r0 := proxy.readCount()
	time.Sleep(time.Second)
	if n := proxy.readCount() - r0; n < 3 || n > 7 {
		t.Errorf("saw %d client writes in 1 s, want ~5 keep-alives at a 200 ms interval", n)
	}

	proxy.cut()
	states.waitFor(t, sip.StateRetrying, 5*time.Second)
	states.waitFor(t, sip.StateRegistered, 10*time.Second)
	after := k.Contacts(t, "alice")
	if len(after) == 0 {
		t.Fatal("no binding after re-registration")
	}
	for _, c := range after {
		for _, b := range before {
			if c == b {
				t.Errorf("contact %s did not change although the connection is new", c)
			}
		}
	}
	states.mu.Lock()
	var sawLost bool
	for i, s := range states.states {
		if s == sip.StateRetrying && states.errs[i] != nil {
			sawLost = true
		}
	}
	states.mu.Unlock()
	if !sawLost {
		t.Error("StateRetrying was reported without an error")
	}
}

// TestReRegisterAfterServerRestart restarts Kamailio, which forgets every
// registration, and expects the UA to be registered again by itself.
func TestReRegisterAfterServerRestart(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw"})
	cfg := uaConfig(t, k, "alice", "alice-pw")
	cfg.RetryMax = time.Second
	ua := newUA(t, cfg)
	states := watchStates(ua)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ua.Register(ctx); err != nil {
		t.Fatalf("Register: %v", err)
	}
	k.Restart(t)
	if n := len(k.Contacts(t, "alice")); n != 0 {
		t.Fatalf("restarted kamailio has %d contacts", n)
	}
	states.waitFor(t, sip.StateRetrying, 5*time.Second)
	states.waitFor(t, sip.StateRegistered, 10*time.Second)
	if n := len(k.Contacts(t, "alice")); n != 1 {
		t.Fatalf("after re-registration kamailio has %d contacts, want 1", n)
	}
}

// TestUALifecycleNoLeak registers, calls and closes a UA and checks that
// nothing it started is still running.
func TestUALifecycleNoLeak(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw", "dave": "dave-pw"})
	opts := goleak.IgnoreCurrent()
	func() {
		alice, err := sip.New(uaConfig(t, k, "alice", "alice-pw"))
		if err != nil {
			t.Fatal(err)
		}
		dave, err := sip.New(uaConfig(t, k, "dave", "dave-pw"))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, ua := range []*sip.UA{alice, dave} {
			if err := ua.Register(ctx); err != nil {
				t.Fatal(err)
			}
		}
		dave.OnInvite(func(in *sip.Incoming) {
			go func() { _, _ = in.Answer(ctx, testAnswer(t, in.Offer(), 4000)) }()
		})
		d, err := alice.Dial(ctx, "sip:dave@"+k.Domain, testOffer(t, 4002, "sendrecv"), nil)
		if err != nil {
			t.Fatalf("Dial: %v", err)
		}
		// Close with the call still up: Close hangs up and unregisters.
		if err := alice.Close(); err != nil {
			t.Errorf("alice Close: %v", err)
		}
		waitDone(t, d, time.Second)
		if err := dave.Close(); err != nil {
			t.Errorf("dave Close: %v", err)
		}
		if len(k.Contacts(t, "alice")) != 0 || len(k.Contacts(t, "dave")) != 0 {
			t.Error("bindings left after Close")
		}
		if _, err := alice.Dial(ctx, "sip:dave@"+k.Domain, nil, nil); !errors.Is(err, sip.ErrClosed) {
			t.Errorf("Dial after Close = %v, want ErrClosed", err)
		}
		if err := alice.Register(ctx); !errors.Is(err, sip.ErrClosed) {
			t.Errorf("Register after Close = %v, want ErrClosed", err)
		}
	}()
	goleak.VerifyNone(t, opts)
}

// TestReconnectRightAway calls Reconnect many times back to back, as the
// phone does when the machine's address changes: each drops the flow and
// must register at once on a new one, never on the flow just closed
// (dropFlow takes it out of sipgo's pool; the race it closes showed as
// "use of closed network connection" in phone's TestAddressChangeMidCall).
func TestReconnectRightAway(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw"})
	ua := newUA(t, uaConfig(t, k, "alice", "alice-pw"))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := ua.Register(ctx); err != nil {
		t.Fatalf("Register: %v", err)
	}
	for i := range 40 {
		if err := ua.Reconnect(ctx); err != nil {
			t.Fatalf("Reconnect %d: %v", i+1, err)
		}
	}
	if n := len(k.Contacts(t, "alice")); n < 1 {
		t.Fatalf("after the reconnects kamailio has %d contacts", n)
	}
}
