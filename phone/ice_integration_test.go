package phone

import (
	"context"
	"testing"
	"time"

	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// iceOn turns ICE on without servers: host candidates on loopback.
func iceOn(c *Config) {
	c.Settings.Network.ICE = "on"
	// baresip 1.0 with medianat answers a=crypto before it has read the offer's lines: it
	// answers its own first suite under tag 1, which RFC 4568 matching refuses unless our
	// tag 1 is that suite.
	c.Settings.Media.Suites = []string{"AES_CM_128_HMAC_SHA1_80"}
}

// openCall starts a call between the agent (1000) and baresip (2000): the agent dials when
// dir is "we call", else baresip dials and the agent answers. It returns the call's ID.
func openCall(t *testing.T, r *rig, dir string) string {
	t.Helper()
	if dir == "we call" {
		id, err := r.agent.Dial(context.Background(), "2000")
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	r.baresip.Dial(t, "sip:1000@"+r.k.Domain)
	in := r.events.waitFor(t, "incoming call", 15*time.Second, callState("", CallIncoming)).(CallChanged)
	if err := r.agent.Answer(context.Background(), in.Call.ID); err != nil {
		t.Fatal(err)
	}
	return in.Call.ID
}

// TestICEWithBaresip calls baresip (ice module, rtcp-mux) through Kamailio with ICE, both
// directions: audio flows both ways over the pair ICE selected, and the call stats show it.
func TestICEWithBaresip(t *testing.T) {
	for _, dir := range []string{"we call", "baresip calls"} {
		t.Run(dir, func(t *testing.T) {
			checkLeaks(t) // the ICE agents and their goroutines end with the call
			r := newRig(t, testpeer.BaresipOptions{AutoAnswer: dir == "we call", ToneHz: 440, MediaNAT: "ice"}, iceOn)
			id := openCall(t, r, dir)
			r.events.waitFor(t, "call active", 15*time.Second, callState(id, CallActive))
			ev := r.events.waitFor(t, "stats over ICE", 15*time.Second, func(e Event) bool {
				s, ok := e.(StatsUpdated)
				return ok && s.CallID == id && s.Stats.Candidate != "" && s.Stats.PacketsReceived > 50
			}).(StatsUpdated)
			st := ev.Stats
			if st.Candidate != "host" {
				t.Fatalf("selected candidate = %q (path %q), want host", st.Candidate, st.Path)
			}
			t.Logf("ICE pair: %s", st.Path)
			time.Sleep(time.Second)
			if got := tone.DominantFrequency(r.sink.last(8000), 8000); !near(got, 440, 15) {
				t.Fatalf("received %.0f Hz over ICE, want 440", got)
			}
			if err := r.agent.Hangup(id); err != nil {
				t.Fatal(err)
			}
			r.events.waitFor(t, "ended", 10*time.Second, callState(id, CallEnded))
			heard := farEndHeard(t, r.baresip)
			if got := tone.DominantFrequency(heard[len(heard)/2:], 8000); !near(got, 1000, 15) {
				t.Fatalf("baresip heard %.0f Hz, want our 1000", got)
			}
		})
	}
}
