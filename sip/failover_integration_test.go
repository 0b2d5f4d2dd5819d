package sip_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"softphone/internal/testpeer"
	"softphone/sip"
)

// dnsServer is a tiny authoritative DNS server on loopback that answers
// SRV and A questions from a fixed table, like a company's zone.
type dnsServer struct {
	srv  *dns.Server
	addr string
	recs map[string][]dns.RR // by lower-case question name and type
}

func startDNS(t *testing.T, rrs ...string) *dnsServer {
	t.Helper()
	d := &dnsServer{recs: map[string][]dns.RR{}}
	for _, s := range rrs {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatalf("record %q: %v", s, err)
		}
		key := strings.ToLower(rr.Header().Name) + "/" + strconv.Itoa(int(rr.Header().Rrtype))
		d.recs[key] = append(d.recs[key], rr)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d.addr = pc.LocalAddr().String()
	d.srv = &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(d.answer)}
	started := make(chan struct{})
	d.srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = d.srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = d.srv.Shutdown() })
	return d
}

func (d *dnsServer) answer(w dns.ResponseWriter, q *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = true
	for _, qq := range q.Question {
		m.Answer = append(m.Answer, d.recs[strings.ToLower(qq.Name)+"/"+strconv.Itoa(int(qq.Qtype))]...)
	}
	if len(m.Answer) == 0 {
		m.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}

// resolver asks only this server.
func (d *dnsServer) resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var dl net.Dialer
		return dl.DialContext(ctx, "udp", d.addr)
	}}
}

// twoCAs trusts both Kamailios' CAs (each test Kamailio has its own).
func twoCAs(t *testing.T, ks ...*testpeer.Kamailio) *x509.CertPool {
	pool := x509.NewCertPool()
	for _, k := range ks {
		pem, err := os.ReadFile(k.CAFile)
		if err != nil {
			t.Fatal(err)
		}
		pool.AppendCertsFromPEM(pem)
	}
	return pool
}

func contains(cs []string, port int) bool {
	for _, c := range cs {
		if strings.Contains(c, ":"+strconv.Itoa(port)) {
			return true
		}
	}
	return false
}

// TestSRVFailover: the servers come from DNS SRV (_sips._tcp.localhost,
// answered by a real DNS server on loopback) in priority order. The UA
// registers at the first; when it is stopped the UA moves to the second,
// and back to the first once it returns (FailBack).
func TestSRVFailover(t *testing.T) {
	users := map[string]string{"alice": "alice-pw"}
	k1 := testpeer.StartKamailio(t, users)
	k2 := testpeer.StartKamailio(t, users)
	d := startDNS(t,
		"_sips._tcp.localhost. 60 IN SRV 20 10 "+strconv.Itoa(k2.Port)+" pbx2.localhost.",
		"_sips._tcp.localhost. 60 IN SRV 10 10 "+strconv.Itoa(k1.Port)+" pbx1.localhost.",
		"pbx1.localhost. 60 IN A 127.0.0.1",
		"pbx2.localhost. 60 IN A 127.0.0.1",
	)
	cfg := sip.Config{
		Domain:    "localhost", // no server: SRV under the domain
		User:      "alice",
		Password:  "alice-pw",
		RootCAs:   twoCAs(t, k1, k2),
		Expires:   time.Minute,
		KeepAlive: 200 * time.Millisecond,
		RetryMax:  time.Second,
		FailBack:  2 * time.Second,
		Resolver:  d.resolver(),
		Logger:    testLogger(t),
	}
	ua := newUA(t, cfg)
	states := watchStates(ua)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ua.Register(ctx); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if got, want := ua.Target(), k1.Addr; got != want {
		t.Fatalf("registered at %s, want the priority-10 target %s", got, want)
	}
	if len(k1.Contacts(t, "alice")) == 0 {
		t.Fatal("no binding at the first server")
	}
	// Kamailio answers our double-CRLF pings with a CRLF pong.
	deadline := time.Now().Add(3 * time.Second)
	for ua.Pongs() == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if ua.Pongs() == 0 {
		t.Error("no CRLF pong from Kamailio within 3 s of 200 ms pings")
	}

	stopped := time.Now()
	k1.Stop()
	states.waitFor(t, sip.StateRetrying, 5*time.Second)
	states.waitFor(t, sip.StateRegistered, 10*time.Second)
	moved := time.Since(stopped)
	if got := ua.Target(); got != k2.Addr {
		t.Fatalf("after the first server stopped: registered at %s, want %s", got, k2.Addr)
	}
	if len(k2.Contacts(t, "alice")) == 0 {
		t.Fatal("no binding at the second server")
	}
	t.Logf("registration moved to the second server %v after the first stopped (bound 2.5 s)", moved.Round(time.Millisecond))
	if moved > 2500*time.Millisecond {
		t.Errorf("failover took %v, want ≤ 2.5 s (loss seen within the 1 s flow check)", moved)
	}

	k1.Start(t)
	deadline = time.Now().Add(8 * time.Second)
	for ua.Target() != k1.Addr && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if got := ua.Target(); got != k1.Addr {
		t.Fatalf("did not come back to the preferred server: at %s", got)
	}
	if len(k1.Contacts(t, "alice")) == 0 {
		t.Fatal("no binding at the first server after failing back")
	}
}

// TestServersListFailover: an ordered list of servers; the first refuses
// connections, so Register goes to the second.
func TestServersListFailover(t *testing.T) {
	users := map[string]string{"alice": "alice-pw"}
	k2 := testpeer.StartKamailio(t, users)
	dead := testpeer.FreePort(t) // nothing listens: connection refused
	cfg := uaConfig(t, k2, "alice", "alice-pw")
	cfg.Server = ""
	cfg.Servers = []string{"127.0.0.1:" + strconv.Itoa(dead), k2.Addr}
	ua := newUA(t, cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := ua.Register(ctx); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if ua.Target() != k2.Addr {
		t.Fatalf("registered at %s, want %s", ua.Target(), k2.Addr)
	}
	t.Logf("registered at the second server in %v", time.Since(start).Round(time.Millisecond))
}

// TestSRVTargetVerifiedAgainstDomain: a target found by SRV must present a
// certificate for the SIP domain (RFC 5922 §4), not merely for its own
// host name. Kamailio's certificate names localhost and 127.0.0.1; under
// the domain example.test the same server is refused (in TestSRVFailover,
// pbx1.localhost passes only because the domain is localhost).
func TestSRVTargetVerifiedAgainstDomain(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw"})
	d := startDNS(t,
		"_sips._tcp.example.test. 60 IN SRV 10 10 "+strconv.Itoa(k.Port)+" localhost.",
		"localhost. 60 IN A 127.0.0.1",
	)
	ua := newUA(t, sip.Config{
		Domain: "example.test", User: "alice", Password: "alice-pw", RootCAs: k.CAPool,
		Resolver: d.resolver(), Logger: testLogger(t),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := ua.Register(ctx)
	var ce *sip.CertificateError
	if !errors.As(err, &ce) || ce.Problem() != sip.CertHostname {
		t.Fatalf("Register = %v, want a CertificateError (hostname)", err)
	}
}
