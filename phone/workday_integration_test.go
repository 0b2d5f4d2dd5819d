package phone

import (
	"context"
	"strings"
	"testing"
	"time"

	"softphone/internal/testpeer"
)

// While not available, a call from baresip through Kamailio is refused
// the way the PBX expects (486, or 480 for DND) and never rings the agent;
// after-call work refuses too, and Available takes calls again.
func TestNotAvailableRefusesCallsFromBaresip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   RefuseMode
		status string
	}{
		{"busy", RefuseBusy, "486"},
		{"dnd", RefuseDND, "480"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, testpeer.BaresipOptions{}, func(c *Config) {
				c.Workday = testPolicy{acw: time.Hour, refuse: tc.mode}
			})
			for _, set := range []func() error{
				func() error { return r.agent.SetAgentState(AgentNotReady, "break") },
				func() error { return r.agent.SetAgentState(AgentAfterCall, "") },
			} {
				if err := set(); err != nil {
					t.Fatal(err)
				}
				r.baresip.Dial(t, "sip:1000@"+r.k.Domain)
				closed := r.baresip.WaitEvent(t, "CALL_CLOSED", 15*time.Second)
				if !strings.Contains(closed.Param, tc.status) {
					t.Fatalf("baresip's call closed with %q, want %s", closed.Param, tc.status)
				}
			}
			r.events.mu.Lock()
			evs := append([]Event(nil), r.events.events...)
			r.events.mu.Unlock()
			for _, e := range evs {
				if c, ok := e.(CallChanged); ok {
					t.Fatalf("a refused call reached the agent: %+v", c.Call)
				}
			}
			if err := r.agent.SetAgentState(AgentAvailable, ""); err != nil {
				t.Fatal(err)
			}
			r.baresip.Dial(t, "sip:1000@"+r.k.Domain)
			in := r.events.waitFor(t, "ringing once available", 15*time.Second, callState("", CallIncoming)).(CallChanged)
			if err := r.agent.Decline(in.Call.ID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Going not ready and back dials the PBX's pause and unpause feature codes
// (here extensions answered by baresip through Kamailio); the calls are
// hung up once answered, are marked Feature, and start no after-call work.
func TestFeatureCodesDialledOnStateChange(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw", "7201": "pausepw", "7202": "unpausepw"})
	pause := testpeer.StartBaresip(t, k, "7201", "pausepw", testpeer.BaresipOptions{AutoAnswer: true})
	unpause := testpeer.StartBaresip(t, k, "7202", "unpausepw", testpeer.BaresipOptions{AutoAnswer: true})
	a := newAgent(t, k, "1000", func(c *Config) {
		c.Workday = testPolicy{acw: time.Hour, pause: "7201", unpause: "7202"}
	}, nil)
	ev := watchAgent(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Register(ctx, "agentpw"); err != nil {
		t.Fatal(err)
	}
	if err := a.SetAgentState(AgentNotReady, "break"); err != nil {
		t.Fatal(err)
	}
	pause.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	pause.WaitEvent(t, "CALL_CLOSED", 15*time.Second)
	first := ev.waitFor(t, "pause call ended", 15*time.Second, callState("", CallEnded)).(CallChanged)
	if !first.Call.Feature || first.Call.EndReason != errLocalHangup.Error() {
		t.Fatalf("pause call %+v", first.Call)
	}
	if err := a.SetAgentState(AgentAvailable, ""); err != nil {
		t.Fatal(err)
	}
	unpause.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	unpause.WaitEvent(t, "CALL_CLOSED", 15*time.Second)
	ev.waitFor(t, "unpause call ended", 15*time.Second, func(e Event) bool {
		c, ok := e.(CallChanged)
		return ok && c.Call.ID != first.Call.ID && c.Call.State == CallEnded && c.Call.Feature
	})
	if s := a.AgentStatus(); s.State != AgentAvailable {
		t.Fatalf("after the unpause call the agent is %v, want available (no ACW)", s.State)
	}
}

// A caller who hangs up while we ring, and one refused while not ready,
// are missed calls; CallBack dials the caller (baresip through Kamailio).
func TestMissedCallAndCallBack(t *testing.T) {
	r := newRig(t, testpeer.BaresipOptions{}, func(c *Config) {
		c.Workday = testPolicy{missed: 10}
	})
	r.baresip.Dial(t, "sip:1000@"+r.k.Domain)
	r.events.waitFor(t, "ringing", 15*time.Second, callState("", CallIncoming))
	r.baresip.Hangup(t)
	r.baresip.WaitEvent(t, "CALL_CLOSED", 10*time.Second)
	m := r.events.waitFor(t, "missed call", 10*time.Second, func(e Event) bool {
		m, ok := e.(MissedCallsChanged)
		return ok && len(m.Calls) == 1
	}).(MissedCallsChanged).Calls[0]
	if m.Number != "2000" || m.Unavailable || m.Count != 1 {
		t.Fatalf("missed %+v", m)
	}

	if err := r.agent.SetAgentState(AgentNotReady, "break"); err != nil {
		t.Fatal(err)
	}
	r.baresip.Dial(t, "sip:1000@"+r.k.Domain)
	r.baresip.WaitEvent(t, "CALL_CLOSED", 10*time.Second)
	m = r.events.waitFor(t, "missed again", 10*time.Second, func(e Event) bool {
		m, ok := e.(MissedCallsChanged)
		return ok && len(m.Calls) == 1 && m.Calls[0].Count == 2
	}).(MissedCallsChanged).Calls[0]
	if !m.Unavailable {
		t.Fatalf("refused call not marked unavailable: %+v", m)
	}

	id, err := r.agent.CallBack(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := r.baresip.WaitEvent(t, "CALL_INCOMING", 15*time.Second)
	if !strings.Contains(in.PeerURI, "1000") {
		t.Fatalf("baresip was called by %q", in.PeerURI)
	}
	if got := r.agent.MissedCalls(); len(got) != 0 {
		t.Fatalf("called-back entry still listed: %+v", got)
	}
	if err := r.agent.Hangup(id); err != nil {
		t.Fatal(err)
	}
	r.events.waitFor(t, "call-back ended", 10*time.Second, callState(id, CallEnded))
}
