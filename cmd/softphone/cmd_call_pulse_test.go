package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/audio/device"
	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// TestCallToBaresipOnPulseAudio: an SRTP call through Kamailio to baresip
// with our side on a real sound server (PulseAudio, started by the test,
// through malgo): a 1000 Hz tone played into our microphone is what baresip
// records, and baresip's 440 Hz tone is what our speaker plays.
func TestCallToBaresipOnPulseAudio(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs PulseAudio, Kamailio and baresip")
	}
	p := testpeer.StartPulse(t) // sets PULSE_SERVER for this process
	p.KeepAwake(t, "speaker")
	p.KeepAwake(t, "micfeed")
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	next := enrolledAgent(t, c, "sip-secret-1000")

	mic := make([]int16, 9*device.SampleRate)
	_, _ = tone.NewSine(1000, 12000, device.SampleRate).Read(mic)
	var wg sync.WaitGroup
	var heard []int16
	wg.Go(func() { p.Play(t, "micfeed", mic) })
	wg.Go(func() { heard = p.Record(t, "speaker.monitor", 8*time.Second) })

	code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
		"", "call", "sip:2000@localhost", "--duration", "5s")
	wg.Wait()
	require.Equal(t, exitOK, code, out)
	stats := eventsNamed(evs, "call_stats")
	require.NotEmpty(t, stats, out)
	last := stats[len(stats)-1]
	require.Greater(t, last["packets_received"].(float64), 100.0, "stats %v", last)
	require.Contains(t, last, "srtp_failures", "call_stats reports SRTP failures")
	require.Contains(t, last, "dropped", "call_stats reports dropped datagrams")
	require.Equal(t, 0.0, last["srtp_failures"], "stats %v", last)

	// Our speaker played baresip's tone.
	loud := loudest(heard, device.SampleRate)
	require.Greater(t, testpeer.RMS(loud), 1000.0, "our speaker stayed silent")
	require.InDelta(t, 440, tone.DominantFrequency(loud, device.SampleRate), 15, "our speaker played baresip's tone")

	// baresip recorded our microphone's tone (its sndfile module writes *-dec.wav).
	decs, _ := filepath.Glob(filepath.Join(b.Dir, "*dec*.wav"))
	require.NotEmpty(t, decs, "baresip wrote no recording")
	f, err := os.Open(decs[0])
	require.NoError(t, err)
	defer f.Close()
	pcm, _, err := device.DecodeWAV(f)
	require.NoError(t, err)
	loud = loudest(pcm, device.SampleRate)
	require.Greater(t, testpeer.RMS(loud), 1000.0, "baresip received silence")
	require.InDelta(t, 1000, tone.DominantFrequency(loud, device.SampleRate), 15, "baresip recorded our microphone's tone")
}

// loudest returns the loudest second of pcm (the call, not the silence around it).
func loudest(pcm []int16, rate int) []int16 {
	best, bestRMS := pcm[:0], -1.0
	for i := 0; i+rate <= len(pcm); i += rate / 4 {
		if r := testpeer.RMS(pcm[i : i+rate]); r > bestRMS {
			best, bestRMS = pcm[i:i+rate], r
		}
	}
	return best
}
