package central

import (
	"errors"

	"softphone/internal/s3store"
)

// Sentinel errors.
var (
	// ErrConfig means the store configuration is incomplete or invalid.
	ErrConfig = s3store.ErrConfig
	// ErrLegalHold means an object of the recording is under legal hold.
	ErrLegalHold = errors.New("the recording is under legal hold in central storage")
	// ErrRetained means the store refused because of object retention.
	ErrRetained = s3store.ErrRetained
	// ErrChecksum means an uploaded object does not match what was sent.
	ErrChecksum = errors.New("uploaded object does not match its checksum")
	// ErrNotFound means the recording is not in central storage.
	ErrNotFound = s3store.ErrNotFound
	// ErrPermission means the role may not do this.
	ErrPermission = errors.New("your role does not allow this")
	// ErrTampered means a central object failed its integrity check.
	ErrTampered = errors.New("central object failed its integrity check")
	// ErrReasonRequired means a reason must be given.
	ErrReasonRequired = errors.New("a reason is required")
)
