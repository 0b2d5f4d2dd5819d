//go:build linux

package phone

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"softphone/audio/tone"
	"softphone/config"
	"softphone/internal/testpeer"
)

// Environment the ICE NAT tests hand to their phone part in the home namespace.
const (
	iceEnvMode   = "ICE_NAT_MODE" // "call" or "answer"
	iceEnvServer = "ICE_NAT_SERVER"
	iceEnvCA     = "ICE_NAT_CA"
	iceEnvSTUN   = "ICE_NAT_STUN"
	iceEnvTURN   = "ICE_NAT_TURN"
	iceEnvUser   = "ICE_NAT_TURN_USER"
	iceEnvPass   = "ICE_NAT_TURN_PASS"
)

// iceNATResult is what the phone part reports.
type iceNATResult struct {
	Candidate, Path string
	Sent, Received  uint64
	HeardHz         float64
}

// iceNATLab is the home network with Kamailio (no nathelper: nothing fixes our SDP), coturn
// (STUN/TURN, TLS on 443) and baresip with its ice module on the internet side.
type iceNATLab struct {
	lab  *testpeer.Lab
	k    *testpeer.Kamailio
	turn *testpeer.Coturn
	b    *testpeer.Baresip
}

func newICENATLab(t *testing.T) *iceNATLab {
	t.Helper()
	l := testpeer.NewLab(t)
	ip := l.ServerIP.String()
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"},
		testpeer.KamailioOptions{Netns: l.Internet, IP: ip})
	c := testpeer.StartCoturn(t, testpeer.CoturnOptions{Netns: l.Internet, IP: ip})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440,
		Netns: l.Internet, IP: ip, MediaNAT: "ice", STUNServer: "stun:" + c.Addr})
	return &iceNATLab{lab: l, k: k, turn: c, b: b}
}

// phone runs the phone part in the home namespace with the given NAT policy.
func (n *iceNATLab) phone(t *testing.T, mode string, stun, turn string) *testpeer.Child {
	t.Helper()
	return testpeer.StartChild(t, n.lab.Home, map[string]string{
		iceEnvMode: mode, iceEnvServer: n.k.Addr, iceEnvCA: n.k.CAFile,
		iceEnvSTUN: stun, iceEnvTURN: turn, iceEnvUser: n.turn.User, iceEnvPass: n.turn.Password,
		// TURN over TLS: trust the lab's coturn certificate like a system root.
		"SSL_CERT_FILE": n.turn.CAFile,
	})
}

// run calls baresip (mode "call") or is called by it ("answer") and returns the phone's result
// once baresip heard our tone.
func (n *iceNATLab) run(t *testing.T, mode, stun, turn string) iceNATResult {
	t.Helper()
	ch := n.phone(t, mode, stun, turn)
	if mode == "answer" {
		deadline := time.Now().Add(30 * time.Second)
		for len(n.k.Contacts(t, "1000")) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("the phone never registered:\n%s", ch.Log())
			}
			time.Sleep(100 * time.Millisecond)
		}
		n.b.Dial(t, "sip:1000@"+n.k.Domain)
	}
	ch.Wait(t, 90*time.Second)
	var r iceNATResult
	ch.Result(t, &r)
	t.Logf("%s: pair %s, sent %d received %d, heard %.0f Hz", mode, r.Path, r.Sent, r.Received, r.HeardHz)
	if !near(r.HeardHz, 440, 15) {
		t.Fatalf("we heard %.0f Hz, want baresip's 440", r.HeardHz)
	}
	heard := farEndHeard(t, n.b)
	if got := tone.DominantFrequency(heard[len(heard)/2:], 8000); !near(got, 1000, 15) {
		t.Fatalf("baresip heard %.0f Hz, want our 1000", got)
	}
	return r
}

// iceNATPhone is the phone part, run by the test binary inside the home namespace.
func iceNATPhone(t *testing.T) {
	s := testSettings()
	s.Account.Server = os.Getenv(iceEnvServer)
	s.Account.User = "1000"
	s.Account.Expires = 300 * time.Second
	s.Media.Suites = []string{"AES_CM_128_HMAC_SHA1_80"} // see iceOn: baresip 1.0 answers tag 1
	s.Network = config.Network{ICE: "on", TURNUsername: os.Getenv(iceEnvUser), TURNPassword: os.Getenv(iceEnvPass)}
	if v := os.Getenv(iceEnvSTUN); v != "" {
		s.Network.STUNServers = strings.Split(v, ",")
	}
	if v := os.Getenv(iceEnvTURN); v != "" {
		s.Network.TURNServers = strings.Split(v, ",")
	}
	pool := envRoots(t, iceEnvCA)
	sink := &pcmSink{}
	a, err := New(Config{Settings: s, RootCAs: pool, Endpoints: &toneEndpoints{hz: 1000, sink: sink}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	events := watchAgent(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := a.Register(ctx, "sip-secret-1000"); err != nil {
		t.Fatalf("register: %v", err)
	}
	var id string
	if os.Getenv(iceEnvMode) == "call" {
		if id, err = a.Dial(ctx, "2000"); err != nil {
			t.Fatal(err)
		}
	} else {
		in := events.waitFor(t, "incoming call", 30*time.Second, callState("", CallIncoming)).(CallChanged)
		id = in.Call.ID
		if err := a.Answer(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	events.waitFor(t, "call active", 20*time.Second, callState(id, CallActive))
	st := events.waitFor(t, "audio over ICE", 20*time.Second, func(e Event) bool {
		s, ok := e.(StatsUpdated)
		return ok && s.CallID == id && s.Stats.Candidate != "" && s.Stats.PacketsReceived > 50
	}).(StatsUpdated).Stats
	time.Sleep(1500 * time.Millisecond)
	r := iceNATResult{Candidate: st.Candidate, Path: st.Path, Sent: st.PacketsSent, Received: st.PacketsReceived,
		HeardHz: tone.DominantFrequency(sink.last(8000), 8000)}
	if err := a.Hangup(id); err != nil {
		t.Fatal(err)
	}
	events.waitFor(t, "ended", 10*time.Second, callState(id, CallEnded))
	testpeer.WriteResult(t, r)
}

// TestICEThroughNAT: our phone behind the home router's NAT calls baresip on the internet side
// and is called by it. Kamailio does not fix our SDP: only ICE can make the media meet, with our
// server-reflexive candidate (the router's public address) learnt from coturn.
func TestICEThroughNAT(t *testing.T) {
	for _, mode := range []string{"call", "answer"} {
		t.Run(mode, func(t *testing.T) {
			if testpeer.InChild() {
				iceNATPhone(t)
				return
			}
			n := newICENATLab(t)
			r := n.run(t, mode, n.turn.Addr, "")
			if r.Candidate != "srflx" || !strings.Contains(r.Path, n.lab.PublicIP.String()) {
				t.Fatalf("pair %q, want our srflx candidate at the router's %s", r.Path, n.lab.PublicIP)
			}
			// baresip's ICE picked the router's public address for us, not our private one.
			n.b.WaitLog(t, `mnat 'ice' connected: raddr `+regexp.QuoteMeta(n.lab.PublicIP.String())+`:`, time.Second)
		})
	}
}

// TestICETURNOverTLSWithUDPBlocked: the home network lets no UDP out; the call still gets
// audio, relayed by coturn over TURN over TLS on 443. The policy does not force relaying: ICE
// tries the direct and server-reflexive paths too (their UDP is dropped at the router) and
// settles on the relay.
func TestICETURNOverTLSWithUDPBlocked(t *testing.T) {
	for _, mode := range []string{"call", "answer"} {
		t.Run(mode, func(t *testing.T) {
			if testpeer.InChild() {
				iceNATPhone(t)
				return
			}
			n := newICENATLab(t)
			n.lab.BlockUDP(t)
			r := n.run(t, mode, n.turn.Addr, "turns:"+n.turn.TLSAddr+"?transport=tcp")
			if r.Candidate != "relay" || !strings.Contains(r.Path, "relay/tls") {
				t.Fatalf("pair %q, want a relay over TLS", r.Path)
			}
			if !strings.HasSuffix(n.turn.TLSAddr, ":443") {
				t.Fatalf("coturn's TLS listener is %s, want port 443", n.turn.TLSAddr)
			}
			if blocked := n.lab.BlockedUDP(t); blocked == 0 {
				t.Errorf("the router dropped no UDP: the test did not block anything")
			}
		})
	}
}
