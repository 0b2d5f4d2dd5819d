package auth

// Auditor records security events. The audit package implements it; auth
// never passes a password, code or secret in attrs.
type Auditor interface {
	Record(action, actor string, attrs map[string]string) error
}

// Audit actions written by this package.
const (
	ActionLogin            = "auth.login"
	ActionLoginFailed      = "auth.login_failed"
	ActionLockout          = "auth.lockout"
	ActionUnlock           = "auth.unlock"
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

// discardAuditor is used when Config.Auditor is nil (tests only; New logs a warning).
type discardAuditor struct{}

func (discardAuditor) Record(string, string, map[string]string) error { return nil }
