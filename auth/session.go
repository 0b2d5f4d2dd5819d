package auth

import (
	"sync"
	"time"
)

// Login methods recorded in a Session.
const (
	MethodTOTP     = "totp"
	MethodRecovery = "recovery"
)

// Session is a successful login. It is the only way to obtain secrets from
// the vault. Close it on logout; afterwards it releases nothing.
type Session struct {
	profile string
	role    Role
	perms   *Table // the effective permission table (nil: defaults)
	at      time.Time
	method  string
	backend string

	mu      sync.Mutex // guards secrets; any goroutine may call any method
	secrets Secrets    // nil once closed
}

// Profile is the logged-in profile's name.
func (s *Session) Profile() string { return s.profile }

// Role is the profile's role.
func (s *Session) Role() Role { return s.role }

// Can reports whether the session is open and its role has permission p.
func (s *Session) Can(p Permission) bool { return s.Open() && s.perms.Can(s.role, p) }

// LoggedInAt is when the login succeeded.
func (s *Session) LoggedInAt() time.Time { return s.at }

// Method is MethodTOTP or MethodRecovery (a recovery code was used: the UI
// should suggest re-enrolling and show how many codes remain).
func (s *Session) Method() string { return s.method }

// VaultBackend names where the profile's secrets are kept (VaultKeyring, VaultFile).
func (s *Session) VaultBackend() string { return s.backend }

// Open reports whether the session has not been closed.
func (s *Session) Open() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.secrets != nil
}

// Secret returns a stored secret (SecretSIPPassword, SecretCRMToken,
// SecretRecordingKey). The TOTP secret is never released.
func (s *Session) Secret(name string) (string, error) {
	if err := releasable(name); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secrets == nil {
		return "", ErrSessionClosed
	}
	return s.secrets.Get(name)
}

// SetSecret stores a secret for this profile (setup wizard, settings).
func (s *Session) SetSecret(name, value string) error {
	if err := releasable(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secrets == nil {
		return ErrSessionClosed
	}
	return s.secrets.Set(name, value)
}

// Close ends the session (logout). It is idempotent.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fs, ok := s.secrets.(*fileSecrets); ok {
		fs.mu.Lock()
		clear(fs.key)
		fs.mu.Unlock()
	}
	s.secrets = nil
	return nil
}
