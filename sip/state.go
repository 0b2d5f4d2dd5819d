package sip

// State is the registration state of a UA, reported to OnRegistration.
type State int

const (
	// StateUnregistered: not registered (before Register, or after an
	// unrecoverable error).
	StateUnregistered State = iota
	// StateRegistering: a REGISTER is in flight.
	StateRegistering
	// StateRegistered: the server accepted the registration.
	StateRegistered
	// StateRetrying: the registration or its connection was lost; the UA
	// retries with back-off. The error passed along says why.
	StateRetrying
	// StateClosed: Close was called; the UA is unregistered and finished.
	StateClosed
)

// String returns the lower-case name of the state.
func (s State) String() string {
	switch s {
	case StateUnregistered:
		return "unregistered"
	case StateRegistering:
		return "registering"
	case StateRegistered:
		return "registered"
	case StateRetrying:
		return "retrying"
	case StateClosed:
		return "closed"
	default:
		return "unknown"
	}
}
