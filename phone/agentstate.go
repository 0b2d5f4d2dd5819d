package phone

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"softphone/config"
)

// AgentState is the agent's availability for calls.
type AgentState int

// Agent states.
const (
	AgentAvailable AgentState = iota // takes calls
	AgentNotReady                    // on a break, in training, …: Reason says which
	AgentAfterCall                   // after-call work (ACW) with a countdown
)

// String returns the state as used by the headless commands and JSON.
func (s AgentState) String() string {
	switch s {
	case AgentAvailable:
		return "available"
	case AgentNotReady:
		return "not_ready"
	case AgentAfterCall:
		return "acw"
	}
	return "unknown"
}

// ParseAgentState reads "available", "not_ready" or "acw".
func ParseAgentState(s string) (AgentState, error) {
	for _, st := range []AgentState{AgentAvailable, AgentNotReady, AgentAfterCall} {
		if st.String() == s {
			return st, nil
		}
	}
	return 0, fmt.Errorf("agent state %q: want available, not_ready or acw", s)
}

// RefuseMode is how calls are refused while the agent is not available.
type RefuseMode int

// Refuse modes.
const (
	RefuseBusy RefuseMode = iota // 486 Busy Here
	RefuseDND                    // 480 Temporarily Unavailable (do not disturb)
)

// String returns "busy" or "dnd".
func (m RefuseMode) String() string {
	if m == RefuseDND {
		return "dnd"
	}
	return "busy"
}

// response is the SIP status a refused call gets.
func (m RefuseMode) response() (int, string) {
	if m == RefuseDND {
		return 480, "Temporarily Unavailable"
	}
	return 486, "Busy Here"
}

// WorkdayPolicy is what the agent states need from policy: the reason
// codes, the after-call-work time, whether a wrap-up code is required and
// how calls are refused while not available.
type WorkdayPolicy interface {
	NotReadyReasons() []string
	AfterCallWork() time.Duration
	WrapUpRequired() bool
	RefuseWith() RefuseMode
	// FeatureCodes are dialled when the agent stops (pause) or starts
	// (unpause) being available; "" for none.
	FeatureCodes() (pause, unpause string)
	// MissedCalls is how many missed calls may be kept (in memory) and
	// for how long; 0 keeps none.
	MissedCalls() (keep int, keepFor time.Duration)
}

// WorkdayFromConfig reads the workday policy from the configuration file
// (until the policy package supplies it).
func WorkdayFromConfig(w config.Workday) WorkdayPolicy { return configWorkday{w} }

type configWorkday struct{ w config.Workday }

func (c configWorkday) NotReadyReasons() []string {
	if len(c.w.NotReadyReasons) == 0 {
		return []string{"other"}
	}
	return slices.Clone(c.w.NotReadyReasons)
}

func (c configWorkday) AfterCallWork() time.Duration { return c.w.AfterCallWork }
func (c configWorkday) WrapUpRequired() bool         { return c.w.WrapUpRequired }

func (c configWorkday) FeatureCodes() (string, string) { return c.w.PauseCode, c.w.UnpauseCode }

func (c configWorkday) MissedCalls() (int, time.Duration) {
	return c.w.MissedCalls, c.w.MissedCallsFor
}

func (c configWorkday) RefuseWith() RefuseMode {
	if c.w.RefuseWith == "dnd" {
		return RefuseDND
	}
	return RefuseBusy
}

// AgentStatus is the agent's state and how long it has lasted.
type AgentStatus struct {
	State  AgentState
	Reason string    // not-ready reason code
	Since  time.Time // when this state began
	// After-call work: when it ends, whether it was extended (once only),
	// the wrap-up code given and whether one is needed before it can end.
	ACWEnds        time.Time
	Extended       bool
	WrapUp         string
	WrapUpRequired bool
	// Cause says what made the last change: "agent", "call_ended",
	// "acw_timeout".
	Cause string
}

// InState is how long the agent has been in the state at now.
func (s AgentStatus) InState(now time.Time) time.Duration { return now.Sub(s.Since) }

// Remaining is how much after-call work is left at now (0 outside ACW or
// once the countdown has run out).
func (s AgentStatus) Remaining(now time.Time) time.Duration {
	if s.State != AgentAfterCall || s.ACWEnds.Before(now) {
		return 0
	}
	return s.ACWEnds.Sub(now)
}

// AgentStateChanged is sent on every change of the agent state, and
// replayed by Watch.
type AgentStateChanged struct{ Status AgentStatus }

func (AgentStateChanged) isEvent() {}

// Errors of the agent state methods.
var (
	ErrUnknownReason  = errors.New("not-ready reason is not one of the configured reason codes")
	ErrWrapUpRequired = errors.New("a wrap-up code is required before after-call work ends")
	ErrNotInACW       = errors.New("not in after-call work")
	ErrACWExtended    = errors.New("after-call work can be extended only once")
)
