package crm

import "fmt"

// The Lookup's state and the events it reports.

// State is the state of a Lookup.
type State int

// String names the state.
func (s State) String() string {
	switch s {
	case StateIdle:
		return "idle"
	case StateSearching:
		return "searching"
	case StateFound:
		return "found"
	case StateChoosing:
		return "choosing"
	case StateNotFound:
		return "not found"
	case StateUnavailable:
		return "unavailable"
	case StateClosed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// EventKind says what an Event reports.
type EventKind int

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case EventState:
		return "state"
	case EventRevealed:
		return "revealed"
	case EventRemasked:
		return "remasked"
	case EventConsent:
		return "consent"
	case EventPayment:
		return "payment"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one change of a Lookup. It never carries an unmasked value.
type Event struct {
	Kind  EventKind
	State State
	// Card is the selected card (StateFound, EventConsent, EventPayment).
	Card *Card
	// Matches are the cards to choose from (StateChoosing).
	Matches []Card
	// Field is the key of the revealed or re-masked field.
	Field string
	// Err explains StateUnavailable (ErrUnavailable, ErrUnauthorized …).
	Err error
	// Consent and PaymentInProgress for EventConsent / EventPayment.
	Consent           Consent
	PaymentInProgress bool
}
