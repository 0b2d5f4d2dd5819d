package phone

import (
	"testing"
	"time"

	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// TestDTLSOverICEWithBaresip calls baresip (dtls_srtp and ice modules, rtcp-mux) through Kamailio
// with DTLS-SRTP over ICE, both directions: the handshake runs on the pair ICE selected, the call
// shows DTLS keying, and audio flows both ways.
func TestDTLSOverICEWithBaresip(t *testing.T) {
	for _, dir := range []string{"we call", "baresip calls"} {
		t.Run(dir, func(t *testing.T) {
			r := newRig(t, testpeer.BaresipOptions{AutoAnswer: dir == "we call", ToneHz: 440, MediaNAT: "ice", DTLSSRTP: true},
				func(c *Config) {
					iceOn(c)
					c.Settings.Media.KeyExchange = "dtls"
				})
			id := openCall(t, r, dir)
			keyed := r.events.waitFor(t, "DTLS keys", 15*time.Second, func(e Event) bool {
				c, ok := e.(CallChanged)
				return ok && c.Call.ID == id && c.Call.KeyExchange == KeyExchangeDTLS
			}).(CallChanged)
			if keyed.Call.SRTP == "" || keyed.Call.Securing {
				t.Fatalf("keyed call info %+v", keyed.Call)
			}
			ev := r.events.waitFor(t, "stats over ICE", 15*time.Second, func(e Event) bool {
				s, ok := e.(StatsUpdated)
				return ok && s.CallID == id && s.Stats.Candidate != "" && s.Stats.PacketsReceived > 50
			}).(StatsUpdated)
			t.Logf("suite %s over ICE pair %s", keyed.Call.SRTP, ev.Stats.Path)
			if ev.Stats.SRTPFailures != 0 {
				t.Fatalf("SRTP failures: %d", ev.Stats.SRTPFailures)
			}
			time.Sleep(time.Second)
			if got := tone.DominantFrequency(r.sink.last(8000), 8000); !near(got, 440, 15) {
				t.Fatalf("received %.0f Hz, want 440", got)
			}
			if err := r.agent.Hangup(id); err != nil {
				t.Fatal(err)
			}
			r.events.waitFor(t, "ended", 10*time.Second, callState(id, CallEnded))
			heard := farEndHeard(t, r.baresip)
			if got := tone.DominantFrequency(heard[len(heard)/2:], 8000); !near(got, 1000, 15) {
				t.Fatalf("baresip heard %.0f Hz, want our 1000", got)
			}
			r.baresip.WaitLog(t, `(?i)verified sha-256 fingerprint OK`, 5*time.Second)
		})
	}
}
