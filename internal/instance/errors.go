package instance

import "errors"

// Sentinel errors returned by this package.
var (
	// ErrNotRunning means no primary instance runs that could take a link.
	ErrNotRunning = errors.New("no running softphone")
	// ErrNotResponding means another instance holds the lock but did not
	// answer in time (it may be starting, or hung).
	ErrNotResponding = errors.New("the running softphone does not respond")
	// ErrBusy means the primary has too many links queued and refused this one.
	ErrBusy = errors.New("the running softphone is busy; try again")
	// ErrRefused means the primary rejected the request (bad token or message).
	ErrRefused = errors.New("the running softphone refused the request")
	// ErrInvalidName means the instance name is empty or has characters that
	// are not allowed in a file name.
	ErrInvalidName = errors.New("invalid instance name")
	// ErrInvalidLink means the link is too long, not UTF-8 or has control
	// characters. Scheme-level validation is the caller's (urlhandler.Parse).
	ErrInvalidLink = errors.New("invalid link")
	// ErrPrimary means Send was called on the primary instance itself.
	ErrPrimary = errors.New("this is the primary instance")
	// ErrClosed means the instance was closed.
	ErrClosed = errors.New("instance closed")
	// ErrUnsafeDir means the directory for the lock and endpoint is not a
	// private directory of the current user.
	ErrUnsafeDir = errors.New("instance directory is not private to the user")
)
