package phone

import (
	"context"
	"testing"
	"time"

	"filippo.io/age"

	"softphone/audio/tone"
	"softphone/audit"
	"softphone/internal/testpeer"
	"softphone/recording"
)

// TestRecordedCallWithPause records a real SRTP call to baresip, pauses it
// at the agent's request and checks, after decrypting with the
// organisation's key, that both channels hold the right voices and the
// pause interval is kept, and that the agent saw the recorder's real state.
func TestRecordedCallWithPause(t *testing.T) {
	checkLeaks(t)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	alog, err := audit.Open(dir + "/audit.log")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { alog.Close() })
	store, err := recording.NewStore(recording.Config{
		Dir: dir + "/rec", Recipients: []age.Recipient{id.Recipient()}, RetentionDays: 30,
		Policy: recording.PolicyOn, Auditor: alog, PseudonymKey: make([]byte, 32), SweepInterval: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })

	r := newRig(t, testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440}, func(c *Config) { c.Recordings = store })
	callID, err := r.agent.Dial(context.Background(), "2000")
	if err != nil {
		t.Fatal(err)
	}
	r.events.waitFor(t, "call active", 15*time.Second, callState(callID, CallActive))
	r.events.waitFor(t, "RECORDING", 5*time.Second, func(e Event) bool {
		rc, ok := e.(RecordingChanged)
		return ok && rc.CallID == callID && rc.State == Recording
	})
	time.Sleep(1500 * time.Millisecond)
	if err := r.agent.RecordPause(callID, true); err != nil {
		t.Fatal(err)
	}
	r.events.waitFor(t, "PAUSED", 5*time.Second, func(e Event) bool {
		rc, ok := e.(RecordingChanged)
		return ok && rc.CallID == callID && rc.State == RecordingPaused && rc.Paused.Has(PauseAgent)
	})
	// An agent may not switch recording off: only supervisors may.
	if err := r.agent.SetRecording(callID, false); err == nil {
		t.Fatal("an agent switched recording off")
	}
	time.Sleep(time.Second)
	if err := r.agent.RecordPause(callID, false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	r.agent.Hangup(callID)
	r.events.waitFor(t, "ended", 10*time.Second, callState(callID, CallEnded))

	metas, err := store.List("supervisor1", recording.Role(RoleSupervisor), recording.Filter{CallID: callID})
	if err != nil || len(metas) != 1 {
		t.Fatalf("list: %v, %d recordings", err, len(metas))
	}
	m := metas[0]
	if len(m.Pauses) != 1 {
		t.Fatalf("pauses = %+v, want one interval", m.Pauses)
	}
	rd, err := store.Open("supervisor1", recording.Role(RoleSupervisor), m.ID, recording.PurposePlayback, id)
	if err != nil {
		t.Fatal(err)
	}
	var agent, customer []int16
	if err := rd.Frames(func(f recording.Frame) error {
		if f.Channel == recording.ChannelAgent {
			agent = append(agent, f.Samples...)
		} else {
			customer = append(customer, f.Samples...)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// 3 s recorded of ~4 s (1 s paused): allow for call set-up and teardown.
	if secs := float64(len(agent)) / 8000; secs < 2 || secs > 3.6 {
		t.Fatalf("agent channel holds %.1f s, want about 3 s (pause not honoured?)", secs)
	}
	if got := tone.DominantFrequency(agent, 8000); !near(got, 1000, 15) {
		t.Fatalf("agent channel at %.0f Hz, want 1000", got)
	}
	if got := tone.DominantFrequency(customer[len(customer)/2:], 8000); !near(got, 440, 15) {
		t.Fatalf("customer channel at %.0f Hz, want 440", got)
	}
}
