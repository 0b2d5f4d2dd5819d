//go:build linux

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

// Environment the NAT tests hand to their phone part in the home namespace.
const (
	natEnvMode   = "NAT_TEST_MODE" // "call" or "answer"
	natEnvServer = "NAT_TEST_SERVER"
	natEnvCA     = "NAT_TEST_CA"
	natEnvTarget = "NAT_TEST_TARGET"
	natEnvDur    = "NAT_TEST_DURATION"
)

// natResult is what the phone part reports to the test.
type natResult struct {
	Code    int              `json:"code"`
	Events  []map[string]any `json:"events"`
	Out     string           `json:"out"`
	RecRMS  float64          `json:"rec_rms"`  // what we heard (loudest second)
	RecFreq float64          `json:"rec_freq"` // its dominant frequency
}

// natPhone is the phone part of a NAT test, run by the test binary inside
// the lab's home namespace: log in, register at the Kamailio on the
// internet side and call (or answer), sending a 1000 Hz tone and recording
// what arrives. The media address is left to the phone (the route's
// source: the private home address).
func natPhone(t *testing.T) {
	c := newAuthCLI(t)
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	fmt.Fprintf(f, "\n[account]\nserver = %q\nuser = \"1000\"\ndomain = \"localhost\"\nca_file = %q\nexpires = \"300s\"\n",
		os.Getenv(natEnvServer), os.Getenv(natEnvCA))
	require.NoError(t, f.Close())
	next := enrolledAgent(t, c, "sip-secret-1000")
	dir := t.TempDir()
	play, rec := filepath.Join(dir, "play.wav"), filepath.Join(dir, "rec.wav")
	writeToneWAV(t, play, 1000, 20*time.Second)
	login := map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next}
	args := []string{"answer", "--count", "1"}
	if os.Getenv(natEnvMode) == "call" {
		args = []string{"call", os.Getenv(natEnvTarget)}
	}
	args = append(args, "--duration", os.Getenv(natEnvDur), "--play", play, "--record", rec, "--audio", "null")
	var r natResult
	r.Code, r.Events, r.Out = c.run(login, "", args...)
	if pcm := readWAV(rec); len(pcm) >= 8000 {
		loud := loudest(pcm, 8000)
		r.RecRMS, r.RecFreq = testpeer.RMS(loud), tone.DominantFrequency(loud, 8000)
	}
	testpeer.WriteResult(t, r)
}

func readWAV(path string) []int16 {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	pcm, _, _ := device.DecodeWAV(f)
	return pcm
}

// natLab is the home network with Kamailio and baresip (user 2000, 440 Hz,
// auto-answer) on the internet side.
type natLab struct {
	lab *testpeer.Lab
	k   *testpeer.Kamailio
	b   *testpeer.Baresip
}

func newNATLab(t *testing.T, natHelper bool) *natLab {
	t.Helper()
	l := testpeer.NewLab(t)
	ip := l.ServerIP.String()
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"},
		testpeer.KamailioOptions{Netns: l.Internet, IP: ip, NATHelper: natHelper})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440, Netns: l.Internet, IP: ip})
	return &natLab{lab: l, k: k, b: b}
}

// phone starts the phone part in the home namespace.
func (n *natLab) phone(t *testing.T, mode string, duration time.Duration) *testpeer.Child {
	t.Helper()
	return testpeer.StartChild(t, n.lab.Home, map[string]string{
		natEnvMode: mode, natEnvServer: n.k.Addr, natEnvCA: n.k.CAFile,
		natEnvTarget: "sip:2000@" + n.k.Domain, natEnvDur: duration.String(),
	})
}

// waitRegistered waits until the phone's contact is at Kamailio and returns it.
func (n *natLab) waitRegistered(t *testing.T, ch *testpeer.Child) []string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if cs := n.k.Contacts(t, "1000"); len(cs) > 0 {
			return cs
		}
		require.True(t, time.Now().Before(deadline), "the phone never registered:\n%s", ch.Log())
		time.Sleep(100 * time.Millisecond)
	}
}

// baresipHeard returns the RMS and frequency of the loudest second baresip
// received (its sndfile *-dec.wav is 8 kHz for G.711).
func (n *natLab) baresipHeard(t *testing.T) (rms, hz float64) {
	t.Helper()
	decs, _ := filepath.Glob(filepath.Join(n.b.Dir, "*dec*.wav"))
	require.NotEmpty(t, decs, "baresip wrote no recording")
	f, err := os.Open(decs[0])
	require.NoError(t, err)
	defer f.Close()
	pcm, _, err := device.DecodeWAV(f) // converted to 8 kHz mono
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(pcm), 8000, "baresip's recording is shorter than a second")
	loud := loudest(pcm, 8000)
	return testpeer.RMS(loud), tone.DominantFrequency(loud, 8000)
}

// requireTwoWayAudio checks the phone's result: an SRTP call that was
// active, packets both ways, baresip's 440 Hz heard by us and our 1000 Hz
// heard by baresip.
func (n *natLab) requireTwoWayAudio(t *testing.T, r natResult) {
	t.Helper()
	require.Equal(t, exitOK, r.Code, r.Out)
	var active map[string]any
	for _, e := range eventsNamed(r.Events, "call_state") {
		if e["state"] == "active" {
			active = e
		}
	}
	require.NotNil(t, active, r.Out)
	require.NotEmpty(t, active["srtp"], "not encrypted: %v", active)
	stats := eventsNamed(r.Events, "call_stats")
	require.NotEmpty(t, stats, r.Out)
	last := stats[len(stats)-1]
	require.Greater(t, last["packets_sent"].(float64), 50.0, "stats %v", last)
	require.Greater(t, last["packets_received"].(float64), 50.0, "baresip's audio did not cross the NAT: stats %v", last)
	require.Greater(t, r.RecRMS, 1000.0, "we heard silence")
	require.InDelta(t, 440, r.RecFreq, 15, "we heard baresip's tone")
	rms, hz := n.baresipHeard(t)
	require.Greater(t, rms, 1000.0, "baresip heard silence")
	require.InDelta(t, 1000, hz, 15, "baresip heard our tone")
}

// TestCallThroughNAT: our phone sits behind the home router's NAT (private
// 198.18.0.2, masqueraded to 198.19.0.1) and calls baresip on the internet
// side through Kamailio over TLS; SRTP audio flows both ways. Kamailio fixes
// the private address in our SDP (nathelper), as PBXs without a media relay
// do: without ICE that is what makes the far end's audio reach us.
func TestCallThroughNAT(t *testing.T) {
	if testpeer.InChild() {
		natPhone(t)
		return
	}
	n := newNATLab(t, true)
	ch := n.phone(t, "call", 4*time.Second)
	ch.Wait(t, 90*time.Second)
	var r natResult
	ch.Result(t, &r)
	n.requireTwoWayAudio(t, r)
	n.k.WaitLog(t, `NAT: fixing the SDP of INVITE from 198\.19\.0\.1`, time.Second)
}

// TestCallIntoNAT: baresip on the internet side calls our phone behind the
// NAT; the INVITE comes down the TLS connection we registered on, and audio
// flows both ways.
func TestCallIntoNAT(t *testing.T) {
	if testpeer.InChild() {
		natPhone(t)
		return
	}
	n := newNATLab(t, true)
	ch := n.phone(t, "answer", 4*time.Second)
	n.waitRegistered(t, ch)
	n.b.Dial(t, "sip:1000@"+n.k.Domain)
	n.b.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	ch.Wait(t, 60*time.Second)
	var r natResult
	ch.Result(t, &r)
	n.requireTwoWayAudio(t, r)
	n.k.WaitLog(t, `NAT: fixing the SDP of reply 200 from 198\.19\.0\.1`, time.Second)
}

// TestCallIntoNATAfterIdle: the router forgets idle NAT mappings after 30 s
// (UDP and established TCP, like a cheap home router); the phone stays idle
// for more than twice that and is still called: its RFC 5626 CRLF
// keep-alives (every 25 s, sip.Config.KeepAlive) keep the registered TLS
// flow's mapping alive, and the INVITE comes down it. Registration refreshes
// come only after 240 s (expires 300 s), so they do not help.
func TestCallIntoNATAfterIdle(t *testing.T) {
	if testpeer.InChild() {
		natPhone(t)
		return
	}
	const natTimeout = 30 * time.Second
	n := newNATLab(t, true)
	n.lab.SetConntrackTimeouts(t, natTimeout, natTimeout)
	ch := n.phone(t, "answer", 3*time.Second)
	n.waitRegistered(t, ch)
	time.Sleep(2*natTimeout + 5*time.Second)
	n.b.Dial(t, "sip:1000@"+n.k.Domain)
	n.b.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	ch.Wait(t, 60*time.Second)
	var r natResult
	ch.Result(t, &r)
	var rang bool
	for _, e := range eventsNamed(r.Events, "call_state") {
		rang = rang || e["state"] == "incoming"
	}
	require.True(t, rang, "the phone never rang: %s", r.Out)
	n.requireTwoWayAudio(t, r)
}

// TestCallThroughLossyNAT: the home router loses 10 % of the UDP datagrams
// in each direction (a bad Wi-Fi). The call through the NAT holds: each side
// still hears the other's tone (losses concealed), our statistics count the
// loss, and the agent is warned about the line while it lasts
// (quality_warning).
func TestCallThroughLossyNAT(t *testing.T) {
	if testpeer.InChild() {
		natPhone(t)
		return
	}
	n := newNATLab(t, true)
	n.lab.LoseUDP(t, 10)
	n.lab.LoseUDPInbound(t, 10)
	ch := n.phone(t, "call", 12*time.Second)
	ch.Wait(t, 120*time.Second)
	var r natResult
	ch.Result(t, &r)
	n.requireTwoWayAudio(t, r)
	stats := eventsNamed(r.Events, "call_stats")
	last := stats[len(stats)-1]
	lost, got := last["packets_lost"].(float64), last["packets_received"].(float64)
	require.Greater(t, lost/(lost+got), 0.04, "the router's 10 %% loss is not in our statistics: %v", last)
	require.Less(t, lost/(lost+got), 0.2, "more lost than the router dropped: %v", last)
	warnings := eventsNamed(r.Events, "quality_warning")
	require.NotEmpty(t, warnings, "no quality warning on a 10 %% lossy line: %s", r.Out)
	require.Contains(t, []any{"loss", "mos"}, warnings[0]["cause"], "warning %v", warnings[0])
	t.Logf("10 %% loss each way: we counted %.1f %% lost of %.0f, first warning %v, heard %.0f Hz at RMS %.0f",
		100*lost/(lost+got), lost+got, warnings[0], r.RecFreq, r.RecRMS)
}
