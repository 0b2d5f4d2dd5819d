package auth

import "fmt"

// Role is what a profile may do. The values match phone.Role.
type Role string

// Roles.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// ParseRole accepts "agent", "supervisor" or "admin".
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAgent, RoleSupervisor, RoleAdmin:
		return r, nil
	}
	return "", fmt.Errorf("%w: %q", ErrInvalidRole, s)
}

// String returns the role's name.
func (r Role) String() string { return string(r) }

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool {
	_, err := ParseRole(string(r))
	return err == nil
}

// Permission is one thing a role may be allowed to do.
type Permission int

// Permissions. The table in Role.Can is the whole policy.
const (
	// PermReveal: unmask a sensitive CRM field (with a reason; audited).
	PermReveal Permission = iota
	// PermRecordingPause: pause/resume/flag the recording of one's own call.
	PermRecordingPause
	// PermRecordingControl: switch recording on/off for a call, see flagged recordings.
	PermRecordingControl
	// PermPlayback: play back or export recordings (audited separately).
	PermPlayback
	// PermLegalHold: place or lift a legal hold on recordings.
	PermLegalHold
	// PermAdmin: configuration and profile administration (add, unlock).
	PermAdmin
)

// String returns the permission's name, e.g. "reveal".
func (p Permission) String() string {
	switch p {
	case PermReveal:
		return "reveal"
	case PermRecordingPause:
		return "recording-pause"
	case PermRecordingControl:
		return "recording-control"
	case PermPlayback:
		return "playback"
	case PermLegalHold:
		return "legal-hold"
	case PermAdmin:
		return "admin"
	}
	return "unknown"
}

// Can reports whether the role has permission p. Least privilege: the admin
// configures and keeps legal holds but does not listen to calls or reveal
// customer data; supervisors do not administer.
func (r Role) Can(p Permission) bool {
	switch r {
	case RoleAgent:
		return p == PermReveal || p == PermRecordingPause
	case RoleSupervisor:
		return p == PermReveal || p == PermRecordingPause || p == PermRecordingControl || p == PermPlayback
	case RoleAdmin:
		return p == PermAdmin || p == PermLegalHold
	}
	return false
}
