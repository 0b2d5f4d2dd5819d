package ui

import "errors"

// Sentinel errors. Messages are written for the agent.
var (
	// ErrEmptyNumber means there is nothing to dial.
	ErrEmptyNumber = errors.New("enter a number to dial")
	// ErrInvalidNumber means the input is neither a phone number nor a SIP address.
	ErrInvalidNumber = errors.New("this is not a phone number")
	// ErrNumberTooLong means the number has more digits than any real number.
	ErrNumberTooLong = errors.New("the number is too long")
)
