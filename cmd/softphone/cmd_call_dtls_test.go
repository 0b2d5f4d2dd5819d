package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/audio/device"
	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// setKeyExchange appends media.key_exchange to the [media] section writeAccount ends with.
func setKeyExchange(t *testing.T, c *authCLI, kx string) {
	t.Helper()
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	defer f.Close()
	_, err = fmt.Fprintf(f, "key_exchange = %q\n", kx)
	require.NoError(t, err)
}

// requireDTLSCall checks a call_state "active" of a DTLS-SRTP call.
func requireDTLSCall(t *testing.T, evs []map[string]any, out string) {
	t.Helper()
	var keyed map[string]any
	for _, e := range eventsNamed(evs, "call_state") {
		if e["state"] == "active" && e["key_exchange"] == "DTLS" {
			keyed = e
		}
	}
	require.NotNil(t, keyed, "no DTLS-keyed active call_state: %s", out)
	t.Logf("call_state: srtp=%v key_exchange=%v codec=%v", keyed["srtp"], keyed["key_exchange"], keyed["codec"])
	require.NotEmpty(t, keyed["srtp"], "%v", keyed)
	require.Equal(t, true, keyed["encrypted"], "%v", keyed)
}

// requireBaresipHeard checks that baresip decoded our tone (its sndfile module's *-dec.wav).
func requireBaresipHeard(t *testing.T, b *testpeer.Baresip, hz float64) {
	t.Helper()
	var decs []string
	deadline := time.Now().Add(5 * time.Second)
	for len(decs) == 0 && time.Now().Before(deadline) {
		decs, _ = filepath.Glob(filepath.Join(b.Dir, "*dec*.wav"))
		time.Sleep(100 * time.Millisecond)
	}
	require.NotEmpty(t, decs, "baresip wrote no recording")
	f, err := os.Open(decs[0])
	require.NoError(t, err)
	defer f.Close()
	pcm, _, err := device.DecodeWAV(f)
	require.NoError(t, err)
	require.Greater(t, len(pcm), device.SampleRate, "baresip decoded only %d samples", len(pcm))
	loud := loudest(pcm, device.SampleRate)
	require.Greater(t, testpeer.RMS(loud), 1000.0, "baresip received silence")
	require.InDelta(t, hz, tone.DominantFrequency(loud, device.SampleRate), 15, "baresip decoded our tone")
}

// requireRecorded checks the tone we recorded of the far end.
func requireRecorded(t *testing.T, rec string, hz float64) {
	t.Helper()
	f, err := os.Open(rec)
	require.NoError(t, err)
	defer f.Close()
	pcm, _, err := device.DecodeWAV(f)
	require.NoError(t, err)
	require.Greater(t, len(pcm), 8000, "recorded only %d samples", len(pcm))
	require.InDelta(t, hz, tone.DominantFrequency(pcm[len(pcm)/2:], 8000), 15, "baresip's tone")
}

// TestHeadlessDTLSCallToBaresip calls, through Kamailio over TLS, a baresip whose account uses
// DTLS-SRTP (dtls_srtp module): with key_exchange "both" and "dtls" the call is keyed by
// DTLS-SRTP, each side verified the other's fingerprint, and audio arrives both ways.
func TestHeadlessDTLSCallToBaresip(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	for _, kx := range []string{"both", "dtls"} {
		t.Run(kx, func(t *testing.T) {
			k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
			b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440, DTLSSRTP: true})
			c := newAuthCLI(t)
			writeAccount(t, c, k, "1000")
			setKeyExchange(t, c, kx)
			next := enrolledAgent(t, c, "sip-secret-1000")
			dir := t.TempDir()
			play := filepath.Join(dir, "play.wav")
			writeToneWAV(t, play, 1000, 3*time.Second)
			rec := filepath.Join(dir, "rec.wav")

			code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
				"", "call", "sip:2000@localhost", "--duration", "3s", "--play", play, "--record", rec)
			require.Equal(t, exitOK, code, out)
			requireDTLSCall(t, evs, out)
			stats := eventsNamed(evs, "call_stats")
			require.NotEmpty(t, stats, out)
			last := stats[len(stats)-1]
			require.Greater(t, last["packets_received"].(float64), 50.0, "stats %v", last)
			require.Equal(t, 0.0, last["srtp_failures"], "stats %v", last)
			requireRecorded(t, rec, 440)
			b.WaitLog(t, `(?i)verified sha-256 fingerprint OK`, 5*time.Second)
			// RFC 5764 section 4.1: one association for RTP and one for RTCP (no rtcp-mux here).
			b.WaitLog(t, `DTLS-SRTP complete \(audio/RTP\)`, 5*time.Second)
			b.WaitLog(t, `DTLS-SRTP complete \(audio/RTCP\)`, 5*time.Second)
			requireBaresipHeard(t, b, 1000)
		})
	}
}

// TestHeadlessDTLSAnswerFromBaresip: baresip (dtls_srtp) calls the agent through Kamailio; the
// agent answers with DTLS-SRTP and audio arrives both ways.
func TestHeadlessDTLSAnswerFromBaresip(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{ToneHz: 660, DTLSSRTP: true})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	next := enrolledAgent(t, c, "sip-secret-1000")
	dir := t.TempDir()
	play := filepath.Join(dir, "play.wav")
	writeToneWAV(t, play, 1000, 4*time.Second)
	rec := filepath.Join(dir, "in.wav")

	done := startAnswer(t, c, k, next, "--play", play, "--record", rec)
	b.Dial(t, "sip:1000@"+k.Domain)
	b.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	time.Sleep(3 * time.Second)
	b.Hangup(t)
	r := waitAnswer(t, done)
	require.Equal(t, exitOK, r.code, r.out)
	requireDTLSCall(t, r.evs, r.out)
	requireRecorded(t, rec, 660)
	b.WaitLog(t, `(?i)verified sha-256 fingerprint OK`, 5*time.Second)
	requireBaresipHeard(t, b, 1000)
}

// TestHeadlessDTLSWrongFingerprint: the SDP the agent receives names another certificate than
// the one baresip presents on the media path (Kamailio forges every a=fingerprint). The agent
// refuses the handshake, the call ends with that cause, and not one RTP packet was sent.
func TestHeadlessDTLSWrongFingerprint(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"},
		testpeer.KamailioOptions{ForgeFingerprint: true})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, DTLSSRTP: true})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("baresip:\n%s", b.Log())
		}
	})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	setKeyExchange(t, c, "dtls")
	next := enrolledAgent(t, c, "sip-secret-1000")
	code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
		"", "call", "sip:2000@localhost", "--duration", "15s", "--audio", "null")
	t.Logf("exit %d", code)
	ended := eventsNamed(evs, "call_ended")
	require.Len(t, ended, 1, out)
	reason, _ := ended[0]["reason"].(string)
	require.Contains(t, reason, "does not match the fingerprint", out)
	require.Less(t, ended[0]["duration_s"].(float64), 12.0, "the call ended on the refusal, not at --duration")
	for _, e := range eventsNamed(evs, "call_state") {
		require.NotEqual(t, "DTLS", e["key_exchange"], "never keyed: %v", e)
	}
	for _, s := range eventsNamed(evs, "call_stats") {
		require.Equal(t, 0.0, s["packets_sent"], "no RTP before the keys: %v", s)
	}
}
