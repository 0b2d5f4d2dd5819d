package phone

import "errors"

// Sentinel errors. Messages are written for the agent.
var (
	// ErrLoginRefused hides whether the password or the code was wrong.
	ErrLoginRefused = errors.New("login refused: check password and code")
	// ErrLocked means the profile is locked after too many failures.
	ErrLocked = errors.New("profile locked after too many failed logins")
	// ErrEnrolmentRequired means the profile has no TOTP secret yet.
	ErrEnrolmentRequired = errors.New("two-factor enrolment required")
	// ErrNoSuchCall is returned for an unknown or ended call ID.
	ErrNoSuchCall = errors.New("no such call")
	// ErrEmptyNumber means there is nothing to dial.
	ErrEmptyNumber = errors.New("enter a number to dial")
	// ErrInvalidNumber means the input is neither a phone number nor a SIP address.
	ErrInvalidNumber = errors.New("this is not a phone number")
	// ErrNumberTooLong means the number has more digits than any real number.
	ErrNumberTooLong = errors.New("the number is too long")
	// ErrNotLoggedIn is returned by call methods before a successful login.
	ErrNotLoggedIn = errors.New("not logged in")
)
