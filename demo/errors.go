package demo

import "errors"

// Sentinel errors of the demo PBX.
var (
	// ErrClosed is returned by methods called after Close.
	ErrClosed = errors.New("demo PBX is closed")
	// ErrAgentNotRegistered means CallAgent found no registration of the demo agent.
	ErrAgentNotRegistered = errors.New("the demo agent is not registered")
	// ErrNotRegistered means a transfer target has no registration.
	ErrNotRegistered = errors.New("the user is not registered")
	// ErrNoSuchCustomer means a customer index outside Customers().
	ErrNoSuchCustomer = errors.New("no such demo customer")
	// ErrTooManyCalls means the limit of simultaneous scripted callers is reached.
	ErrTooManyCalls = errors.New("too many demo customer calls at once")
	// ErrDeclined means the agent rejected a scripted call (see CallError for the code).
	ErrDeclined = errors.New("the agent declined the demo call")
	// ErrNoAnswer means the agent let a scripted call ring until RingTimeout.
	ErrNoAnswer = errors.New("the agent did not answer the demo call")
	// ErrNoCall means SendDTMF found no demo customer in a call.
	ErrNoCall = errors.New("no demo customer is in a call")
	// ErrBadDTMF means digits other than 0-9, *, #, A-D.
	ErrBadDTMF = errors.New("invalid DTMF digits")
	// ErrNoDTMF means the call did not negotiate RFC 4733 telephone-events.
	ErrNoDTMF = errors.New("the call cannot carry DTMF")
	// ErrSDP means a session description could not be parsed or negotiated.
	ErrSDP = errors.New("unusable session description")
	// ErrNoCrypto means an offer or answer carried no usable SDES key (SRTP is mandatory here).
	ErrNoCrypto = errors.New("no usable SRTP crypto attribute")
	// ErrBadContacts means the embedded contacts file is malformed.
	ErrBadContacts = errors.New("malformed demo contacts")
)
