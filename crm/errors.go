package crm

import (
	"errors"
	"fmt"
)

// Sentinel errors. Their text may be shown to an agent.
var (
	// ErrUnavailable means the CRM could not answer in time (down, slow,
	// server error). The call goes on without a card.
	ErrUnavailable = errors.New("CRM unavailable")
	// ErrUnauthorized means the CRM refused the access token.
	ErrUnauthorized = errors.New("CRM refused the access token: ask an administrator to renew the CRM token")
	// ErrNotFound means no contact has that customer id.
	ErrNotFound = errors.New("customer not found")
	// ErrBadNumber means a string is not a phone number that can be normalised.
	ErrBadNumber = errors.New("not a valid phone number")
	// ErrBadResponse means the CRM answered with something that is not the
	// configured JSON shape.
	ErrBadResponse = errors.New("CRM answered in an unexpected format")
	// ErrNotPermitted means the agent's role may not reveal fields.
	ErrNotPermitted = errors.New("your role may not reveal this field")
	// ErrReasonRequired means a reveal was asked for without a reason.
	ErrReasonRequired = errors.New("a reason is required to reveal a field")
	// ErrNotRevealable means the policy does not allow revealing this field
	// (or the card has no such field).
	ErrNotRevealable = errors.New("this field cannot be revealed")
	// ErrNoCard means no contact is selected yet.
	ErrNoCard = errors.New("no customer selected")
	// ErrClosed means the lookup session has ended (the call is over).
	ErrClosed = errors.New("CRM session closed")
	// ErrSealed means the store holds encrypted fields but was opened
	// without the right field key.
	ErrSealed = errors.New("the contact store is encrypted: the field key is missing or wrong")
	// ErrBadPolicy means a masking rule or field kind is unknown.
	ErrBadPolicy = errors.New("invalid masking policy")
)

// RowError is one bad row of an import: the line it starts on and why it was
// rejected. The reason never repeats the rejected value (it may be personal).
type RowError struct {
	Line   int
	Reason string
}

// Error implements error.
func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }
