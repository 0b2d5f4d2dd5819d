package phone

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/recording"
)

// recorderStatuses starts a real recorder under policy and collects what
// its state callback reports, typed by recordingStatus.
type statusLog struct {
	mu  sync.Mutex
	got []RecordingStatus
}

func (l *statusLog) last() RecordingStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.got[len(l.got)-1]
}

func startTestRecorder(t *testing.T, policy recording.Policy, autoPause bool) (*recording.Recorder, *statusLog) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	store, err := recording.NewStore(recording.Config{Dir: filepath.Join(t.TempDir(), "rec"), Recipients: []age.Recipient{id.Recipient()},
		Policy: policy, PseudonymKey: make([]byte, 32), SweepInterval: -1, AutoPauseDTMF: autoPause, AutoPausePayment: autoPause, DTMFIdle: time.Minute})
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	rec, err := store.Start(context.Background(), recording.CallMeta{CallID: "c1", Direction: "incoming", Number: "+4930123456"}, "agent1")
	require.NoError(t, err)
	log := &statusLog{}
	rec.OnState(func(st recording.State, why string) {
		log.mu.Lock()
		log.got = append(log.got, recordingStatus(st, why))
		log.mu.Unlock()
	})
	return rec, log
}

// eventually waits for the recorder's notify goroutine.
func eventually(t *testing.T, l *statusLog, want RecordingStatus) {
	t.Helper()
	require.Eventually(t, func() bool { return l.last() == want }, 5*time.Second, 5*time.Millisecond, "want %+v, last %+v", want, l.last())
}

// TestRecordingStatusFromARealRecorder drives a real recorder through
// every cause: the recorder's words are typed in exactly one place, and a
// change of wording fails here instead of reaching the UI as free text.
func TestRecordingStatusFromARealRecorder(t *testing.T) {
	rec, l := startTestRecorder(t, recording.PolicyOn, true)
	eventually(t, l, RecordingStatus{State: Recording})
	require.NoError(t, rec.Pause(recording.PauseAgent))
	eventually(t, l, RecordingStatus{State: RecordingPaused, Paused: PauseReasons(PauseAgent)})
	require.NoError(t, rec.Payment(true))
	eventually(t, l, RecordingStatus{State: RecordingPaused, Paused: PauseReasons(PauseAgent) | PauseReasons(PausePayment)})
	require.NoError(t, rec.Resume(recording.PauseAgent))
	require.NoError(t, rec.Payment(false))
	require.NoError(t, rec.PromptDTMF())
	rec.DTMF('4')
	eventually(t, l, RecordingStatus{State: RecordingPaused, Paused: PauseReasons(PauseDTMF)})
	require.NoError(t, rec.SetRecording("sup", recording.RoleSupervisor, false))
	eventually(t, l, RecordingStatus{State: NotRecording, Cause: CauseSupervisorOff})
	require.NoError(t, rec.SetRecording("sup", recording.RoleSupervisor, true))
	require.NoError(t, rec.OptOut("agent1"))
	eventually(t, l, RecordingStatus{State: NotRecording, Cause: CauseOptedOut})
	require.NoError(t, rec.Close())
	eventually(t, l, RecordingStatus{State: NotRecording, Cause: CauseStopped})

	off, l := startTestRecorder(t, recording.PolicyOff, false)
	eventually(t, l, RecordingStatus{State: NotRecording, Cause: CausePolicyOff})
	off.Close()

	ask, l := startTestRecorder(t, recording.PolicyAsk, false)
	eventually(t, l, RecordingStatus{State: NotRecording, Cause: CauseAwaitingConsent})
	require.NoError(t, ask.Consent("agent1", false))
	eventually(t, l, RecordingStatus{State: NotRecording, Cause: CauseConsentDeclined})
	ask.Close()
}

func TestRecordingStatusReason(t *testing.T) {
	tests := []struct {
		name string
		st   recording.State
		why  string
		want RecordingStatus
	}{
		{"recording", recording.Recording, "", RecordingStatus{State: Recording}},
		{"paused twice", recording.Paused, "paused: agent, payment", RecordingStatus{State: RecordingPaused, Paused: PauseReasons(PauseAgent) | PauseReasons(PausePayment)}},
		{"starting", recording.NotRecording, "starting", RecordingStatus{State: NotRecording, Cause: CauseStarting}},
		{"disk full", recording.NotRecording, "disk full", RecordingStatus{State: NotRecording, Cause: CauseDiskFull}},
		{"write error", recording.NotRecording, "write error", RecordingStatus{State: NotRecording, Cause: CauseWriteError}},
		{"cannot start", recording.NotRecording, "cannot start: no space", RecordingStatus{State: NotRecording, Cause: CauseCannotStart, Detail: "no space"}},
		{"unknown failure", recording.NotRecording, "tape jammed", RecordingStatus{State: NotRecording, Cause: CauseFailed, Detail: "tape jammed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := recordingStatus(tt.st, tt.why)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.why, got.Reason(), "the JSON reason keeps the recorder's words")
		})
	}
	require.Equal(t, "PAUSED", RecordingPaused.String())
	require.Equal(t, "NOT RECORDING", NotRecording.String())
}
