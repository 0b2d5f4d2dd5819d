package sip_test

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"softphone/internal/testpeer"
	"softphone/sip"
)

// blackholeProxy forwards TCP to target; blackhole makes the connections
// open so far swallow everything silently in both directions while staying
// open, like a NAT box that forgot its mapping (no RST, no FIN). New
// connections pass.
type blackholeProxy struct {
	l      net.Listener
	target string
	gen    atomic.Int64 // connections of generations below it are black holes
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

func newBlackholeProxy(t *testing.T, target string) *blackholeProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &blackholeProxy{l: l, target: target}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			gen := p.gen.Load()
			p.wg.Add(2)
			go func() { defer p.wg.Done(); p.pump(s, c, gen) }()
			go func() { defer p.wg.Done(); p.pump(c, s, gen) }()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *blackholeProxy) pump(dst io.Writer, src io.Reader, gen int64) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && gen >= p.gen.Load() {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (p *blackholeProxy) blackhole() { p.gen.Add(1) }

// TestDeadFlowWithoutPong: the registered TLS flow goes silent (no pong to
// the CRLF keep-alive, no error either). The UA must give the flow up
// after PongTimeout and register on a new connection.
func TestDeadFlowWithoutPong(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw"})
	proxy := newBlackholeProxy(t, k.Addr)
	cfg := uaConfig(t, k, "alice", "alice-pw")
	cfg.Server = proxy.l.Addr().String()
	cfg.KeepAlive = 300 * time.Millisecond
	cfg.PongTimeout = time.Second
	cfg.RetryMax = time.Second
	ua := newUA(t, cfg)
	states := watchStates(ua)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ua.Register(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if ua.Pongs() == 0 {
		t.Fatal("no pong through the proxy")
	}
	before := k.Contacts(t, "alice")
	start := time.Now()
	proxy.blackhole()
	states.waitFor(t, sip.StateRetrying, 5*time.Second)
	states.waitFor(t, sip.StateRegistered, 10*time.Second)
	took := time.Since(start)
	after := k.Contacts(t, "alice")
	t.Logf("silent flow given up and registered anew after %v (keep-alive 300 ms + pong timeout 1 s + 1 s check): %v → %v", took.Round(time.Millisecond), before, after)
	if len(after) != 1 || len(before) != 1 || after[0] == before[0] {
		t.Errorf("want one new binding replacing the old: %v → %v", before, after)
	}
	if took > 3*time.Second {
		t.Errorf("took %v, want ≤ 3 s", took)
	}
	states.mu.Lock()
	defer states.mu.Unlock()
	found := false
	for _, err := range states.errs {
		found = found || err == sip.ErrNoPong
	}
	if !found {
		t.Errorf("no ErrNoPong reported: %v", states.errs)
	}
}
