package phone

// Event is something that happened in the agent session. The concrete types
// below are the only implementations; switch on them.
type Event interface{ isEvent() }

// RegistrationChanged is sent whenever the registration state or reason changes.
type RegistrationChanged struct{ Registration Registration }

// CallChanged is sent on every change of a call (state, hold, mute, crypto).
// The last one for a call has State == CallEnded.
type CallChanged struct{ Call CallInfo }

// DTMFReceived is a digit the far end sent (RFC 4733 or SIP INFO).
type DTMFReceived struct {
	CallID string
	Digit  rune
}

// StatsUpdated carries a call's media statistics, about once per second.
type StatsUpdated struct {
	CallID string
	Stats  CallStats
}

func (RegistrationChanged) isEvent() {}
func (CallChanged) isEvent()         {}
func (DTMFReceived) isEvent()        {}
func (StatsUpdated) isEvent()        {}
