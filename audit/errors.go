package audit

import "errors"

// Sentinel errors.
var (
	// ErrClosed is returned by Record after Close.
	ErrClosed = errors.New("audit log is closed")
	// ErrEmptyAction is returned when Record gets no action name.
	ErrEmptyAction = errors.New("audit entry needs an action")
	// ErrEmptyActor is returned when Record gets no actor.
	ErrEmptyActor = errors.New("audit entry needs an actor")
	// ErrMalformed is returned by ParseEntry for a line that is not an entry.
	ErrMalformed = errors.New("malformed audit entry")
	// ErrAttrTooLong is returned when an attribute value exceeds MaxAttrLen.
	ErrAttrTooLong = errors.New("audit attribute too long")
)
