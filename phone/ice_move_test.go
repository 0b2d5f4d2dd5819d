//go:build linux

package phone

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"softphone/audio/tone"
	"softphone/config"
	"softphone/internal/testpeer"
)

// iceMoveResult is what a phone of the move test measured.
type iceMoveResult struct {
	PathBefore, PathAfter       string
	Back                        int64 // UnixNano: audio arrived over the new pair
	PacketsBefore, PacketsAfter uint64
	HeardHz                     float64
}

const iceMoveRole = "ICEMOVE_ROLE" // "home" (moves) or "far"

// TestICERestartOnAddressChange: our phone behind the home NAT calls another of our phones on
// the internet side, both with ICE (baresip 1.0's ice module does not restart ICE on a
// re-INVITE). Mid-call the home phone's uplink switches (Wi-Fi → LTE): the re-INVITE after the
// move restarts ICE (new credentials, candidates for the new address, RFC 8445 section 9) on
// both sides, media moves to the new pair and audio is back within 2 s. Kamailio does not fix
// SDP: only ICE finds the path, before and after.
func TestICERestartOnAddressChange(t *testing.T) {
	if testpeer.InChild() {
		iceMoveChild(t)
		return
	}
	testpeer.RequireNetlab(t)
	l := testpeer.NewLab(t)
	ip := l.ServerIP.String()
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"},
		testpeer.KamailioOptions{Netns: l.Internet, IP: ip, MinExpires: 1})
	c := testpeer.StartCoturn(t, testpeer.CoturnOptions{Netns: l.Internet, IP: ip})
	env := func(role string) map[string]string {
		return map[string]string{iceMoveRole: role, iceEnvServer: k.Addr, iceEnvCA: k.CAFile, iceEnvSTUN: c.Addr}
	}
	far := testpeer.StartChild(t, l.Internet, env("far"))
	far.WaitLog(t, "ICEMOVE: far registered", 30*time.Second)
	home := testpeer.StartChild(t, l.Home, env("home"))
	home.WaitLog(t, "ICEMOVE: audio flowing", 40*time.Second)
	old := l.HomeIP
	unblock := l.BlockUDP(t) // as TestAddressChangeMidCall: one router serves both links
	switched := time.Now()
	l.SwitchUplink(t)
	flushNAT(t, l, old)
	unblock()
	home.Wait(t, 60*time.Second)
	far.Wait(t, 30*time.Second)
	var h, f iceMoveResult
	home.Result(t, &h)
	far.Result(t, &f)
	back := time.Unix(0, h.Back).Sub(switched).Round(time.Millisecond)
	t.Logf("home: pair %q → %q, audio back on the new pair %v after the switch, packets %d → %d over a second, heard %.0f Hz",
		h.PathBefore, h.PathAfter, back, h.PacketsBefore, h.PacketsAfter, h.HeardHz)
	t.Logf("far: pair %q → %q, heard %.0f Hz at the end", f.PathBefore, f.PathAfter, f.HeardHz)
	if !strings.Contains(h.PathAfter, "(base "+l.HomeIP.String()+":") {
		t.Errorf("the ICE pair after the move %q does not leave from the new address %s", h.PathAfter, l.HomeIP)
	}
	if h.Back == 0 || back > 2*time.Second {
		t.Errorf("audio back after %v, want ≤ 2 s", back)
	}
	if h.PacketsAfter < h.PacketsBefore+40 {
		t.Errorf("packets %d → %d over a second: audio did not come back", h.PacketsBefore, h.PacketsAfter)
	}
	if !near(h.HeardHz, 440, 15) {
		t.Errorf("after the move the home phone hears %.0f Hz, want 440", h.HeardHz)
	}
	if !near(f.HeardHz, 1000, 15) {
		t.Errorf("after the move the far phone hears %.0f Hz, want 1000", f.HeardHz)
	}
}

// iceMoveAgent makes the phone of one side: ICE with the lab's STUN server.
func iceMoveAgent(t *testing.T, user string, hz float64, sink *pcmSink) *Agent {
	roots := envRoots(t, iceEnvCA)
	s := testSettings()
	s.Account.Server = os.Getenv(iceEnvServer)
	s.Account.User = user
	s.Account.Expires = 60 * time.Second
	s.Network = config.Network{ICE: "on", STUNServers: []string{os.Getenv(iceEnvSTUN)}}
	a, err := New(Config{Settings: s, RootCAs: roots, Endpoints: &toneEndpoints{hz: hz, sink: sink},
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func iceMoveChild(t *testing.T) {
	far := os.Getenv(iceMoveRole) == "far"
	user, pw, hz := "1000", "sip-secret-1000", 1000.0
	if far {
		user, pw, hz = "2000", "farpw", 440
	}
	sink := &pcmSink{}
	a := iceMoveAgent(t, user, hz, sink)
	ev := watchAgent(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.Register(ctx, pw); err != nil {
		t.Fatalf("register: %v", err)
	}
	var id string
	if far {
		t.Log("ICEMOVE: far registered")
		in := ev.waitFor(t, "incoming call", 40*time.Second, callState("", CallIncoming)).(CallChanged)
		id = in.Call.ID
		if err := a.Answer(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	} else {
		var err error
		if id, err = a.Dial(ctx, "2000"); err != nil {
			t.Fatal(err)
		}
	}
	ev.waitFor(t, "call active", 15*time.Second, callState(id, CallActive))
	st := ev.waitFor(t, "audio over ICE", 15*time.Second, func(e Event) bool {
		s, ok := e.(StatsUpdated)
		return ok && s.CallID == id && s.Stats.Candidate != "" && s.Stats.PacketsReceived > 50
	}).(StatsUpdated).Stats
	r := iceMoveResult{PathBefore: st.Path}
	if far {
		iceMoveFarEnd(t, ev, id, sink, &r)
		return
	}
	t.Log("ICEMOVE: audio flowing")
	ev.waitFor(t, "network change", 20*time.Second, func(e Event) bool { _, ok := e.(NetworkChanged); return ok })
	mark := ev.mark()
	after := ev.waitAfter(mark, t, "audio on a new ICE pair", 15*time.Second, func(e Event) bool {
		s, ok := e.(StatsUpdated)
		if !ok || s.CallID != id {
			return false
		}
		moved := s.Stats.Path != "" && s.Stats.Path != r.PathBefore && s.Stats.PacketsReceived > st.PacketsReceived
		st = s.Stats
		return moved
	}).(StatsUpdated).Stats
	r.Back, r.PathAfter = time.Now().UnixNano(), after.Path
	a.mu.Lock()
	sess := a.calls[id].sess
	a.mu.Unlock()
	r.PacketsBefore = sess.Stats().PacketsReceived
	time.Sleep(time.Second)
	r.PacketsAfter = sess.Stats().PacketsReceived
	r.HeardHz = tone.DominantFrequency(sink.last(4000), 8000)
	time.Sleep(time.Second) // the far end measures too
	if err := a.Hangup(id); err != nil {
		t.Errorf("hangup: %v", err)
	}
	ev.waitFor(t, "ended", 10*time.Second, callState(id, CallEnded))
	testpeer.WriteResult(t, r)
}

// iceMoveFarEnd stays in the call until the home phone hangs up and reports its last pair and
// what it heard in the last second before the end.
func iceMoveFarEnd(t *testing.T, ev *eventLog, id string, sink *pcmSink, r *iceMoveResult) {
	var last CallStats
	var heard []int16
	ev.waitFor(t, "the home phone hangs up", 50*time.Second, func(e Event) bool {
		switch e := e.(type) {
		case StatsUpdated:
			if e.CallID == id {
				last = e.Stats
				heard = sink.last(8000)
			}
		case CallChanged:
			return e.Call.ID == id && e.Call.State == CallEnded
		}
		return false
	})
	r.PathAfter = last.Path
	r.HeardHz = tone.DominantFrequency(heard, 8000)
	testpeer.WriteResult(t, *r)
}
