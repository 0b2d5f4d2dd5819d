package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/audio/device"
	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// TestHeadlessWidebandCallToBaresip calls, through Kamailio over TLS, a baresip that has only a
// wideband codec: the default configuration (wideband first) settles on it, call_state reports
// the codec and its 16 kHz rate, and baresip's tone arrives.
func TestHeadlessWidebandCallToBaresip(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	for _, tt := range []struct{ codec, baresip string }{{"G722", "G722/16000/1"}, {"opus", "opus"}} {
		t.Run(tt.codec, func(t *testing.T) {
			k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
			testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440, Codecs: tt.baresip})
			c := newAuthCLI(t)
			writeAccount(t, c, k, "1000")
			next := enrolledAgent(t, c, "sip-secret-1000")
			rec := filepath.Join(t.TempDir(), "rec.wav")
			code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
				"", "call", "sip:2000@localhost", "--duration", "2s", "--record", rec)
			require.Equal(t, exitOK, code, out)
			var active map[string]any
			for _, e := range eventsNamed(evs, "call_state") {
				if e["state"] == "active" {
					active = e
				}
			}
			require.NotNil(t, active, out)
			require.Equal(t, tt.codec, active["codec"], out)
			require.Equal(t, 16000.0, active["sample_rate"], out)
			require.NotEmpty(t, active["srtp"])

			f, err := os.Open(rec)
			require.NoError(t, err)
			defer f.Close()
			pcm, _, err := device.DecodeWAV(f)
			require.NoError(t, err)
			require.Greater(t, len(pcm), 8000, "recorded only %d samples", len(pcm))
			require.InDelta(t, 440, tone.DominantFrequency(pcm[len(pcm)/2:], 8000), 15, "baresip's tone")
		})
	}
}
