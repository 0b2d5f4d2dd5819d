package recording

import "errors"

// Sentinel errors. Messages are written for the agent or supervisor who sees them.
var (
	// ErrPermission means the actor's role does not allow the operation.
	ErrPermission = errors.New("not allowed for this role")
	// ErrPolicyLocked means the machine policy fixes the recording policy.
	ErrPolicyLocked = errors.New("the recording policy is set by the machine policy")
	// ErrLegalHold means the recording is under legal hold and cannot be deleted.
	ErrLegalHold = errors.New("recording is under legal hold")
	// ErrNotFound means no recording has that id.
	ErrNotFound = errors.New("no such recording")
	// ErrDeleted means the recording was deleted; only its tombstone is left.
	ErrDeleted = errors.New("recording was deleted")
	// ErrActive means the recording is still being written by a call.
	ErrActive = errors.New("recording is still in progress")
	// ErrWrongKey means the identity file does not match the recording's recipients.
	ErrWrongKey = errors.New("the private key does not match this recording (wrong identity file?)")
	// ErrTampered means an integrity check failed: the recording or its index entry was changed.
	ErrTampered = errors.New("integrity check failed: recording or index entry was altered")
	// ErrClosed means the recorder or store is closed.
	ErrClosed = errors.New("closed")
	// ErrOptedOut means the customer opted out; the call is not recorded any more.
	ErrOptedOut = errors.New("customer opted out of recording")
	// ErrNoConsent means the policy needs the customer's consent and it was refused.
	ErrNoConsent = errors.New("customer did not consent to recording")
	// ErrNotRecorded means nothing of the call was recorded, so there is nothing to flag.
	ErrNotRecorded = errors.New("call has no recording")
	// ErrDiskFull means the recording could not be written because the disk or file size limit is full.
	ErrDiskFull = errors.New("disk full")
	// ErrNoRecipients means the configuration has no age recipient to encrypt to.
	ErrNoRecipients = errors.New("recording needs at least one recipient public key")
	// ErrNoPseudonymKey means the local key for pseudonyms and index MACs is missing or short.
	ErrNoPseudonymKey = errors.New("recording needs a local key of at least 16 bytes")
	// ErrReasonRequired means the operation needs a reason (flag, hold, release).
	ErrReasonRequired = errors.New("a reason is required")
	// ErrBadPolicy means a policy name is not on, off or ask.
	ErrBadPolicy = errors.New("recording policy must be on, off or ask")
	// ErrBadFrame means a decrypted segment does not follow the frame format.
	ErrBadFrame = errors.New("malformed recording segment")
)
