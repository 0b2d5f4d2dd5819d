package phone

import (
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
