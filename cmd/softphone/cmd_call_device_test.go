package main

import (
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/internal/testpeer"
)

// TestHeadsetUnpluggedMidCallIsReported: a call to baresip on a real sound server with the
// speaker priority list "headset", then "speaker"; the headset's PulseAudio module is unloaded
// mid-call (unplugged). The call goes on and `softphone call` reports a typed device_changed
// event: the speaker role lost "headset" and continues on "speaker".
func TestHeadsetUnpluggedMidCallIsReported(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs PulseAudio, Kamailio and baresip")
	}
	p := testpeer.StartPulse(t) // sets PULSE_SERVER for this process
	mod := p.LoadSink(t, "headset")
	p.KeepAwake(t, "speaker")
	p.KeepAwake(t, "headset")
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
	testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = fmt.Fprintf(f, "\n[audio]\nmicrophones = [\"mic\"]\nspeakers = [\"headset\", \"speaker\"]\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	next := enrolledAgent(t, c, "sip-secret-1000")

	unplug := time.AfterFunc(4*time.Second, func() { p.UnloadModule(t, mod) }) // login + dial + ~2 s of call
	defer unplug.Stop()
	code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
		"", "call", "sip:2000@localhost", "--duration", "6s")
	require.Equal(t, exitOK, code, out)
	changed := eventsNamed(evs, "device_changed")
	require.NotEmpty(t, changed, "no device_changed event after the unplug: %s", out)
	require.Equal(t, map[string]any{"event": "device_changed", "role": "speaker", "reason": "lost", "from": "headset", "to": "speaker"},
		changed[0], "events %v", changed)
	stats := eventsNamed(evs, "call_stats")
	require.NotEmpty(t, stats, out)
	require.Greater(t, stats[len(stats)-1]["packets_received"].(float64), 200.0, "the call went on: %v", stats[len(stats)-1])
}
