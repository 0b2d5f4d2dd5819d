package s3store

import "errors"

// Sentinel errors.
var (
	// ErrConfig means the store configuration is incomplete or invalid.
	ErrConfig = errors.New("central storage is not configured correctly")
	// ErrRetained means the store refused because of object retention or legal hold.
	ErrRetained = errors.New("the central store refused: the object is under retention or legal hold")
	// ErrChecksum means an uploaded object does not match what was sent.
	ErrChecksum = errors.New("uploaded object does not match its checksum")
	// ErrNotFound means the object is not in the store.
	ErrNotFound = errors.New("not found in central storage")
	// ErrTooLarge means an object is larger than the reader accepts.
	ErrTooLarge = errors.New("central object is larger than expected")
)
