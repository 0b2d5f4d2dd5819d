//go:build linux

package phone

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// netMoveResult is what the phone (child, in the home namespace) measured,
// as wall-clock UnixNano instants the parent compares with its own.
type netMoveResult struct {
	Seen, Registered, Reconnecting, Back int64
	PacketsBefore, PacketsAfter          uint64
	HeardHz                              float64
	RegFailed                            bool // the registration showed "failed" during the move
}

// TestAddressChangeMidCall: the agent sits behind the lab's NAT router,
// in a call with baresip through Kamailio on the "internet". Mid-call the
// agent's uplink switches (Wi-Fi → LTE: new address, old one gone). The
// registration must follow within 2 s, the call continue by re-INVITE with
// the new address, audio come back within 2 s, and the agent see
// "reconnecting" in between.
func TestAddressChangeMidCall(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*testpeer.Lab, testing.TB) netip.Addr
	}{
		{"uplink switch", (*testpeer.Lab).SwitchUplink}, // Wi-Fi → LTE: other interface, old one down
		{"new lease", (*testpeer.Lab).ChangeHomeIP},     // same link, new address, old one removed
	} {
		t.Run(tt.name, func(t *testing.T) {
			if testpeer.InChild() {
				addressChangeChild(t)
				return
			}
			testpeer.RequireNetlab(t)
			addressChange(t, tt.change)
		})
	}
}

// addressChange is the parent's side: the lab, the peers, the change.
func addressChange(t *testing.T, change func(*testpeer.Lab, testing.TB) netip.Addr) {
	l := testpeer.NewLab(t)
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "agentpw", "2000": "farpw"},
		testpeer.KamailioOptions{Netns: l.Internet, IP: l.ServerIP.String(), NATHelper: true, MinExpires: 1})
	testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{
		AutoAnswer: true, ToneHz: 600, Netns: l.Internet, IP: l.ServerIP.String()})
	l.Exec(t, l.Router, "sysctl", "-qw", "net.netfilter.nf_conntrack_acct=1") // packet counters per mapping
	child := testpeer.StartChild(t, l.Home, map[string]string{
		"NETTEST_SERVER": k.Addr, "NETTEST_CA": k.CAFile, "NETTEST_DOMAIN": k.Domain,
	})
	child.WaitLog(t, "NETTEST: audio flowing", 40*time.Second)
	before := k.Contacts(t, "1000")
	old := l.HomeIP
	// Wi-Fi and LTE would have NATs of their own; here one router serves
	// both, so its mappings of the old address are forgotten while the
	// switch happens (UDP held back meanwhile, a few ms), else the old
	// mapping keeps the public RTP port and the new one is remapped.
	unblock := l.BlockUDP(t)
	switched := time.Now()
	change(l, t)
	flushNAT(t, l, old)
	unblock()
	child.WaitLog(t, "NETTEST: check bindings", 30*time.Second)
	after := k.Contacts(t, "1000")
	t.Logf("bindings before %v, after %v", before, after)
	if !containsPrefix(after, "sip:1000@"+l.HomeIP.String()+":") {
		t.Errorf("Kamailio has no binding at the new address %v: %v", l.HomeIP, after)
	}
	if containsPrefix(after, "sip:1000@"+old.String()+":") {
		t.Errorf("the binding of the old address %v is still there: %v", old, after)
	}
	// Media of the new address crossed the router both ways (the call has
	// run about a second since the move): the packet counters of the
	// router's mapping for it.
	orig, reply := mediaCounters(t, l, l.HomeIP.String())
	t.Logf("router counted %d packets out and %d in for the new address's RTP mapping", orig, reply)
	if orig < 25 || reply < 25 {
		t.Errorf("media of the new address: %d packets out, %d in through the router; want both ≥ 25 (≈ 50/s)", orig, reply)
	}
	child.Wait(t, 60*time.Second)
	var r netMoveResult
	child.Result(t, &r)
	at := func(ns int64) time.Duration { return time.Unix(0, ns).Sub(switched).Round(time.Millisecond) }
	t.Logf("address change seen after %v; registered after %v (bound 2 s); reconnecting shown after %v; audio back after %v (bound 2 s); packets received %d → %d; far-end tone %.0f Hz",
		at(r.Seen), at(r.Registered), at(r.Reconnecting), at(r.Back), r.PacketsBefore, r.PacketsAfter, r.HeardHz)
	if r.Registered == 0 || at(r.Registered) > 2*time.Second {
		t.Errorf("registration followed after %v, want ≤ 2 s", at(r.Registered))
	}
	if r.RegFailed {
		t.Error("the registration showed a failure during the move (see the child's log)")
	}
	if r.Reconnecting == 0 {
		t.Error("the agent never saw reconnecting")
	}
	if r.Back == 0 || at(r.Back) > 2*time.Second {
		t.Errorf("audio back after %v, want ≤ 2 s", at(r.Back))
	}
	if r.PacketsAfter < r.PacketsBefore+40 {
		t.Errorf("packets received %d → %d over the last second: audio did not come back", r.PacketsBefore, r.PacketsAfter)
	}
	if !near(r.HeardHz, 600, 15) {
		t.Errorf("after the move the agent hears %.0f Hz, want 600 Hz", r.HeardHz)
	}
}

// flushNAT forgets the router's NAT mappings of the old address.
func flushNAT(t *testing.T, l *testpeer.Lab, old interface{ String() string }) {
	t.Helper()
	if _, err := exec.LookPath("conntrack"); err != nil {
		t.Fatal("conntrack is not installed (scripts/deps.sh test installs it)")
	}
	out, err := l.Command(l.Router, "conntrack", "-D", "-s", old.String()).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "0 flow entries") {
		t.Fatalf("conntrack -D -s %s: %v %s", old, err, out)
	}
}

// mediaCounters returns the packet counts, out and in, of the router's
// busiest UDP mapping for src (the RTP stream).
func mediaCounters(t *testing.T, l *testpeer.Lab, src string) (orig, reply int) {
	t.Helper()
	out, err := l.Command(l.Router, "conntrack", "-L", "-p", "udp", "-s", src).CombinedOutput()
	if err != nil {
		t.Fatalf("conntrack -L: %v %s", err, out)
	}
	re := regexp.MustCompile(`packets=(\d+)`)
	for _, line := range strings.Split(string(out), "\n") {
		m := re.FindAllStringSubmatch(line, 2)
		if len(m) < 2 {
			continue
		}
		o, _ := strconv.Atoi(m[0][1])
		r, _ := strconv.Atoi(m[1][1])
		if min(o, r) > min(orig, reply) {
			orig, reply = o, r
		}
	}
	return orig, reply
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// addressChangeChild is the phone's side, run inside the home namespace.
func addressChangeChild(t *testing.T) {
	roots := envRoots(t, "NETTEST_CA")
	s := testSettings()
	s.Account.Server = os.Getenv("NETTEST_SERVER")
	s.Account.User = "1000"
	s.Account.Domain = os.Getenv("NETTEST_DOMAIN")
	s.Account.Expires = 60 * time.Second
	s.Media.LocalIP = "" // follow the machine's address
	sink := &pcmSink{}
	a, err := New(Config{Settings: s, RootCAs: roots, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})), Endpoints: &toneEndpoints{hz: 1000, sink: sink}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ev := watchAgent(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := a.Register(ctx, "agentpw"); err != nil {
		t.Fatalf("register: %v", err)
	}
	id, err := a.Dial(ctx, "2000")
	if err != nil {
		t.Fatal(err)
	}
	ev.waitFor(t, "call active", 15*time.Second, callState(id, CallActive))
	ev.waitFor(t, "audio", 10*time.Second, func(e Event) bool {
		s, ok := e.(StatsUpdated)
		return ok && s.CallID == id && s.Stats.PacketsReceived > 50
	})
	t.Log("NETTEST: audio flowing")
	moveMark := ev.mark()
	var r netMoveResult
	nc := ev.waitFor(t, "network change", 20*time.Second, func(e Event) bool { _, ok := e.(NetworkChanged); return ok }).(NetworkChanged)
	if nc.Err != nil {
		t.Errorf("re-register after the change: %v", nc.Err)
	} else {
		r.Registered = nc.At.Add(nc.Registered).UnixNano()
	}
	r.Seen = nc.At.UnixNano()
	t.Logf("NETTEST: %v → %v, registered after %v", nc.From, nc.To, nc.Registered)
	mark := 0
	ev.waitFor(t, "reconnecting", 5*time.Second, func(e Event) bool {
		c, ok := e.(CallChanged)
		if ok && c.Call.ID == id && c.Call.Link == LinkReconnecting {
			r.Reconnecting = time.Now().UnixNano()
			return true
		}
		return false
	})
	mark = ev.mark()
	ev.waitAfter(mark, t, "link up again", 15*time.Second, func(e Event) bool {
		c, ok := e.(CallChanged)
		if ok && c.Call.ID == id && c.Call.Link == LinkUp {
			r.Back = time.Now().UnixNano()
			return true
		}
		return false
	})
	a.mu.Lock()
	sess := a.calls[id].sess
	a.mu.Unlock()
	r.PacketsBefore = sess.Stats().PacketsReceived
	time.Sleep(time.Second)
	r.PacketsAfter = sess.Stats().PacketsReceived
	r.HeardHz = tone.DominantFrequency(sink.last(4000), 8000)
	ev.mu.Lock()
	for _, e := range ev.events[moveMark:] {
		if rc, ok := e.(RegistrationChanged); ok && rc.Registration.State != RegRegistered {
			r.RegFailed = true
			t.Logf("registration during the move: %v %v", rc.Registration.State, rc.Registration.Err)
		}
	}
	ev.mu.Unlock()
	t.Log("NETTEST: check bindings")
	time.Sleep(1500 * time.Millisecond)
	if err := a.Hangup(id); err != nil {
		t.Errorf("hangup: %v", err)
	}
	testpeer.WriteResult(t, r)
	t.Log("NETTEST: done " + strconv.Itoa(int(r.PacketsAfter)))
}
