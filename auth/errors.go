package auth

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors. Messages are written for the agent; none of them tells
// whether the password or the code was wrong.
var (
	// ErrLoginRefused is every refused login: wrong password, wrong or reused
	// code, unknown profile. It deliberately does not say which.
	ErrLoginRefused = errors.New("login refused: check password and code")
	// ErrLocked matches *LockedError: too many failures, wait or ask an admin.
	ErrLocked = errors.New("profile locked after too many failed logins")
	// ErrEnrolmentRequired means the password was right but the profile has
	// no second factor yet: run the enrolment.
	ErrEnrolmentRequired = errors.New("two-factor enrolment required")
	// ErrAlreadyEnrolled is returned by BeginEnrolment on an enrolled profile.
	ErrAlreadyEnrolled = errors.New("profile already has two-factor login")
	// ErrNoPendingEnrolment is returned by CompleteEnrolment without a
	// preceding BeginEnrolment.
	ErrNoPendingEnrolment = errors.New("no enrolment in progress: start the enrolment first")
	// ErrProfileExists is returned when adding a profile whose name is taken.
	ErrProfileExists = errors.New("a profile with this name already exists")
	// ErrNoSuchProfile is returned by admin operations on an unknown profile.
	// (Login never returns it; it says ErrLoginRefused instead.)
	ErrNoSuchProfile = errors.New("no such profile")
	// ErrInvalidProfileName is returned for names outside [a-z0-9._-], 1–64
	// characters, starting with a letter or digit.
	ErrInvalidProfileName = errors.New("invalid profile name: use lower-case letters, digits, '.', '_' or '-' (at most 64)")
	// ErrInvalidRole is returned for a role other than agent, supervisor, admin.
	ErrInvalidRole = errors.New("invalid role: want agent, supervisor, admin or dpo")
	// ErrWeakPassword is returned for passwords shorter than MinPasswordLen.
	ErrWeakPassword = errors.New("password too short")
	// ErrPermission is returned when the session's role lacks a permission.
	ErrPermission = errors.New("permission denied for this role")
	// ErrBootstrapAdmin is returned when the first profile on a machine is
	// not an admin (nobody could add or unlock profiles afterwards).
	ErrBootstrapAdmin = errors.New("the first profile must have the admin role")
	// ErrSessionClosed is returned by a Session after Close (logout).
	ErrSessionClosed = errors.New("session closed: log in again")
	// ErrCorruptProfile is returned when a profile file cannot be read; the
	// file is left as it is.
	ErrCorruptProfile = errors.New("profile file is damaged")
	// ErrProfileTampered is returned when a profile record fails its MAC or
	// is older than the last one saved: it was edited or copied back.
	ErrProfileTampered = errors.New("profile record failed its integrity check")
	// ErrBadHash is returned for a stored password hash that cannot be parsed.
	ErrBadHash = errors.New("malformed password hash")

	// ErrSecretNotFound is returned when the vault holds no such secret.
	ErrSecretNotFound = errors.New("secret not found in vault")
	// ErrSecretNotReleasable is returned by Session.Secret for secrets that
	// never leave this package (the TOTP secret).
	ErrSecretNotReleasable = errors.New("this secret is not released")
	// ErrUnknownSecret is returned for a secret name that is not one of the
	// Secret* constants.
	ErrUnknownSecret = errors.New("unknown secret name")
	// ErrKeyringUnavailable is returned when no OS keyring (Secret Service,
	// Keychain, Credential Manager) can be reached.
	ErrKeyringUnavailable = errors.New("no OS keyring available")
	// ErrVaultMismatch is returned when a profile's secrets are in a vault
	// backend other than the one in use (e.g. made with the keyring, which is
	// now unreachable).
	ErrVaultMismatch = errors.New("this profile's secrets are kept in another vault backend")
	// ErrVaultPassword is returned when the file vault does not open with the
	// given password. The file is not changed.
	ErrVaultPassword = errors.New("vault file does not open with this password")
	// ErrVaultCorrupt is returned when the file vault is damaged or altered.
	// The file is not changed.
	ErrVaultCorrupt = errors.New("vault file is damaged or was altered")
	// ErrVaultStale is returned when changing a secret through a session
	// opened before a password change: log in again.
	ErrVaultStale = errors.New("the password was changed since this session started: log in again to change secrets")
	// ErrVaultMissing is returned when a profile's vault file does not exist.
	ErrVaultMissing = errors.New("vault file is missing")
)

// LockedError is returned while a profile is locked. errors.Is(err, ErrLocked)
// holds for it.
type LockedError struct {
	// Until is when the lock ends by itself (an admin may unlock earlier).
	Until time.Time
}

// Error says until when the profile is locked.
func (e *LockedError) Error() string {
	return fmt.Sprintf("profile locked after too many failed logins until %s (or until an admin unlocks it)",
		e.Until.Local().Format("15:04"))
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }
