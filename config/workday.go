package config

import (
	"fmt"
	"time"
)

// Workday configures the agent states (available, not ready, after-call
// work). It is read by phone through a small interface so that the policy
// package can supply these values instead of the user's file.
type Workday struct {
	// NotReadyReasons are the reason codes an agent may pick for "not
	// ready" (break, training, meeting, …). Empty allows none but "other".
	NotReadyReasons []string `toml:"not_ready_reasons"`
	// AfterCallWork is how long after-call work lasts after each answered
	// call; 0 turns it off.
	AfterCallWork time.Duration `toml:"after_call_work"`
	// WrapUpRequired keeps the agent in after-call work until a wrap-up
	// code is given.
	WrapUpRequired bool `toml:"wrap_up_required"`
	// RefuseWith is how calls are refused while not available: "busy"
	// (486 Busy Here, default) or "dnd" (480 Temporarily Unavailable).
	RefuseWith string `toml:"refuse_with"`
	// PauseCode and UnpauseCode are feature codes (e.g. "*72", "*73")
	// dialled when the agent stops or starts being available, so that the
	// PBX's queue pauses the agent. Empty: none.
	PauseCode   string `toml:"pause_code"`
	UnpauseCode string `toml:"unpause_code"`
	// MissedCalls is how many missed calls are kept for call-back (in
	// memory only, never on disk); 0 keeps none. Default 50.
	MissedCalls int `toml:"missed_calls"`
	// MissedCallsFor is how long a missed call is kept; default 8h (a shift).
	MissedCallsFor time.Duration `toml:"missed_calls_for"`
	// Presence publishes the agent state and whether the agent is on a
	// call to the PBX's presence server, and watches Colleagues (SIP
	// users or URIs) there (BLF).
	Presence   bool     `toml:"presence"`
	Colleagues []string `toml:"colleagues"`
}

func defaultWorkday() Workday {
	return Workday{
		NotReadyReasons: []string{"break", "training", "meeting", "other"},
		AfterCallWork:   0, // off unless policy sets it (e.g. 30 s)
		RefuseWith:      "busy",
		MissedCalls:     50,
		MissedCallsFor:  8 * time.Hour,
	}
}

// Validate checks the workday settings.
func (w Workday) Validate() error {
	switch w.RefuseWith {
	case "", "busy", "dnd":
	default:
		return fmt.Errorf("workday.refuse_with %q: want busy or dnd", w.RefuseWith)
	}
	if w.AfterCallWork < 0 || w.AfterCallWork > time.Hour {
		return fmt.Errorf("workday.after_call_work %v: want 0 to 1h", w.AfterCallWork)
	}
	return nil
}
