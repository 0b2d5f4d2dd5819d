package recording

import (
	"fmt"
	"strings"
)

// State is what the recorder is really doing with the call's audio right now.
type State int

// Recorder states.
const (
	NotRecording State = iota // no audio is written (off, waiting for consent, opted out, failed, stopped)
	Recording                 // audio passes the gate and is encrypted to disk
	Paused                    // the gate is closed for at least one pause reason
)

// String returns the state as shown to users and in JSON output.
func (s State) String() string {
	switch s {
	case NotRecording:
		return "NOT RECORDING"
	case Recording:
		return "RECORDING"
	case Paused:
		return "PAUSED"
	}
	return "unknown"
}

// PauseReason is why the gate is closed. Reasons form a set: the recorder is
// paused while any of them is active.
type PauseReason uint8

// Pause reasons.
const (
	PauseAgent   PauseReason = 1 << iota // the agent pressed pause
	PausePayment                         // the CRM says a payment is in progress
	PauseDTMF                            // the customer is keying digits after a prompt
)

// PauseReasons is a set of PauseReason.
type PauseReasons uint8

// Has reports whether r is in the set.
func (s PauseReasons) Has(r PauseReason) bool { return uint8(s)&uint8(r) != 0 }

// List returns the names of the reasons in the set, in a fixed order.
func (s PauseReasons) List() []string {
	var out []string
	for _, r := range []PauseReason{PauseAgent, PausePayment, PauseDTMF} {
		if s.Has(r) {
			out = append(out, r.String())
		}
	}
	return out
}

// String returns the pause reasons as shown to users and in JSON output.
func (s PauseReasons) String() string { return strings.Join(s.List(), ",") }

// String returns the pause reason as shown to users and in JSON output.
func (r PauseReason) String() string {
	switch r {
	case PauseAgent:
		return "agent"
	case PausePayment:
		return "payment"
	case PauseDTMF:
		return "dtmf"
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Policy is the default recording policy.
type Policy int

// Policies.
const (
	PolicyOff Policy = iota // calls are not recorded unless a supervisor switches recording on
	PolicyOn                // calls are recorded (the customer may opt out)
	PolicyAsk               // calls are recorded once the customer consents
)

// String returns the policy as shown to users and in JSON output.
func (p Policy) String() string {
	switch p {
	case PolicyOff:
		return "off"
	case PolicyOn:
		return "on"
	case PolicyAsk:
		return "ask"
	}
	return "unknown"
}

// ParsePolicy reads "on", "off" or "ask".
func ParsePolicy(s string) (Policy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "off", "":
		return PolicyOff, nil
	case "on":
		return PolicyOn, nil
	case "ask":
		return PolicyAsk, nil
	}
	return PolicyOff, fmt.Errorf("%w (got %q)", ErrBadPolicy, s)
}

// Status is the stored state of a recording.
type Status int

// Recording statuses.
const (
	StatusActive     Status = iota // being written by a call (or the process died: recovered at next start)
	StatusComplete                 // sealed normally
	StatusIncomplete               // interrupted: crash, disk full, write error; what was written is readable
	StatusDeleted                  // crypto-shredded; only the tombstone is left
)

// String returns the status as shown to users and in JSON output.
func (s Status) String() string {
	switch s {
	case StatusActive:
		return "active"
	case StatusComplete:
		return "complete"
	case StatusIncomplete:
		return "incomplete"
	case StatusDeleted:
		return "deleted"
	}
	return "unknown"
}
