package auth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Auditor records security events. The audit package implements it; auth
// never passes a password, code or secret in attrs.
type Auditor interface {
	Record(action, actor string, attrs map[string]string) error
}

// Audit actions written by this package.
const (
	ActionLogin       = "auth.login"
	ActionLoginFailed = "auth.login_failed"
	ActionLockout     = "auth.lockout"
	ActionUnlock      = "auth.unlock"
	// ActionProfileTampered: a profile record failed its MAC or was an older copy.
	ActionProfileTampered  = "auth.profile_tampered"
	ActionEnrolmentStarted = "auth.enrolment_started"
	ActionEnrolled         = "auth.enrolled"
	ActionEnrolmentReset   = "auth.enrolment_reset"
	ActionRecoveryCodeUsed = "auth.recovery_code_used"
	ActionProfileAdded     = "auth.profile_added"
	ActionReauthenticated  = "auth.reauthenticated"
	ActionLogout           = "auth.logout"
	ActionPasswordChanged  = "auth.password_changed"
)

// Actors used when no profile is known (the audit package's "system:…" form).
const (
	// ActorUnknown stands for a login attempt on a profile that does not
	// exist; the typed name is not recorded (it may be a mistyped password).
	ActorUnknown = "system:unknown-profile"
	// ActorBootstrap is the actor creating the first profile on a machine.
	ActorBootstrap = "system:bootstrap"
)

// FileAuditor appends one JSON object per line to a file (mode 0600). It is
// a stand-in until the hash-chained audit log is wired in.
type FileAuditor struct {
	path string
	now  func() time.Time

	mu sync.Mutex // serialises appends
}

// NewFileAuditor appends to path, creating its directory 0700.
func NewFileAuditor(path string) *FileAuditor {
	return &FileAuditor{path: path, now: time.Now}
}

type auditLine struct {
	Time   time.Time         `json:"time"`
	Action string            `json:"action"`
	Actor  string            `json:"actor"`
	Attrs  map[string]string `json:"attrs,omitempty"`
}

// Record appends one line and syncs it to disk.
func (a *FileAuditor) Record(action, actor string, attrs map[string]string) error {
	b, err := json.Marshal(auditLine{Time: a.now().UTC(), Action: action, Actor: actor, Attrs: attrs})
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(a.path), 0o700); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	f, err := os.OpenFile(a.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("audit: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("audit: %w", err)
	}
	return f.Close()
}

// discardAuditor is used when Config.Auditor is nil (tests only; New logs a warning).
type discardAuditor struct{}

func (discardAuditor) Record(string, string, map[string]string) error { return nil }
