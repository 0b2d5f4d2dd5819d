package phone

import (
	"strings"

	"softphone/recording"
)

// RecordingState is what a call's recorder is really doing.
type RecordingState int

// Recording states. The zero value means the call has no recorder
// (recording is not configured on this machine): the UI shows no strip.
const (
	RecordingNone   RecordingState = iota // no recorder for this call
	NotRecording                          // no audio is written; Cause says why
	Recording                             // audio is encrypted to disk
	RecordingPaused                       // the gate is closed; Paused says why
)

// String is the state as shown to users and in JSON output.
func (s RecordingState) String() string {
	switch s {
	case RecordingNone:
		return ""
	case NotRecording:
		return "NOT RECORDING"
	case Recording:
		return "RECORDING"
	case RecordingPaused:
		return "PAUSED"
	}
	return "unknown"
}

// PauseReason and PauseReasons are the recorder's typed pause reasons: a
// paused recorder has at least one.
type (
	PauseReason  = recording.PauseReason
	PauseReasons = recording.PauseReasons
)

// Pause reasons.
const (
	PauseAgent   = recording.PauseAgent   // the agent pressed pause
	PausePayment = recording.PausePayment // the CRM says a payment is in progress
	PauseDTMF    = recording.PauseDTMF    // the customer is keying digits after a prompt
)

// RecordingCause is why a recorder is not recording.
type RecordingCause int

// Causes of NotRecording.
const (
	CauseNone            RecordingCause = iota // recording or paused
	CauseStarting                              // the recorder is being set up
	CauseStopped                               // the call's recording was sealed
	CauseOptedOut                              // the customer objected: recording stopped and discarded
	CauseSupervisorOff                         // a supervisor switched recording off
	CausePolicyOff                             // the recording policy is off for this call
	CauseConsentDeclined                       // the customer declined under the "ask" policy
	CauseAwaitingConsent                       // the "ask" policy waits for the customer's answer
	CauseDiskFull                              // recording failed: the disk is full
	CauseWriteError                            // recording failed: writing failed
	CauseCannotStart                           // recording could not start (Detail: the error)
	CauseFailed                                // recording failed otherwise (Detail: the recorder's words)
)

// String is the cause as the recorder words it (and JSON output shows it).
func (c RecordingCause) String() string {
	switch c {
	case CauseNone:
		return ""
	case CauseStarting:
		return "starting"
	case CauseStopped:
		return "stopped"
	case CauseOptedOut:
		return "customer opted out"
	case CauseSupervisorOff:
		return "switched off by supervisor"
	case CausePolicyOff:
		return "recording policy is off"
	case CauseConsentDeclined:
		return "customer declined recording"
	case CauseAwaitingConsent:
		return "waiting for customer consent"
	case CauseDiskFull:
		return "disk full"
	case CauseWriteError:
		return "write error"
	case CauseCannotStart:
		return "cannot start"
	case CauseFailed:
		return "failed"
	}
	return "unknown"
}

// RecordingStatus is a recorder's state with its typed reasons.
type RecordingStatus struct {
	State  RecordingState
	Paused PauseReasons   // with RecordingPaused: why (never empty then)
	Cause  RecordingCause // with NotRecording: why
	// Detail is the error with CauseCannotStart and the recorder's words
	// with CauseFailed; empty otherwise.
	Detail string
}

// Reason is the status's reason in the recorder's words, for JSON output
// and logs ("paused: agent, payment", "disk full"); the UI translates the
// typed fields instead.
func (s RecordingStatus) Reason() string {
	switch {
	case s.State == RecordingPaused:
		return "paused: " + strings.Join(s.Paused.List(), ", ")
	case s.Cause == CauseFailed:
		return s.Detail
	case s.Cause == CauseCannotStart:
		return "cannot start: " + s.Detail
	}
	return s.Cause.String()
}

// recorderCauses maps the recorder's wording of a cause to its type.
var recorderCauses = map[string]RecordingCause{}

func init() {
	for c := CauseStarting; c < CauseCannotStart; c++ {
		recorderCauses[c.String()] = c
	}
}

// recordingStatus types what recording.Recorder.OnState reports. This is
// the one place that reads the recorder's words (its state callback
// carries them as text); phone/recstate_test.go drives a real recorder
// through every cause so a change of wording fails there, not in the UI.
func recordingStatus(st recording.State, why string) RecordingStatus {
	switch st {
	case recording.Recording:
		return RecordingStatus{State: Recording}
	case recording.Paused:
		var set PauseReasons
		for _, name := range strings.Split(strings.TrimPrefix(why, "paused: "), ",") {
			for _, r := range []PauseReason{PauseAgent, PausePayment, PauseDTMF} {
				if strings.TrimSpace(name) == r.String() {
					set |= PauseReasons(r)
				}
			}
		}
		return RecordingStatus{State: RecordingPaused, Paused: set}
	}
	if c, ok := recorderCauses[why]; ok {
		return RecordingStatus{State: NotRecording, Cause: c}
	}
	if err, ok := strings.CutPrefix(why, "cannot start: "); ok {
		return RecordingStatus{State: NotRecording, Cause: CauseCannotStart, Detail: err}
	}
	return RecordingStatus{State: NotRecording, Cause: CauseFailed, Detail: why}
}
