package recording

import "softphone/auth"

// Role is the actor's role, as in the login (auth.Role has the same values).
type Role string

// Roles.
const (
	RoleAgent      = Role(auth.RoleAgent)
	RoleSupervisor = Role(auth.RoleSupervisor)
	RoleAdmin      = Role(auth.RoleAdmin)
	RoleDPO        = Role(auth.RoleDPO)
	// RoleSystem is the store itself (retention sweep, crash recovery).
	RoleSystem Role = "system"
)

// Permission is one thing a role may do with recordings: the permissions
// of the one table in package auth.
type Permission = auth.Permission

// The recording permissions, named as auth names them.
const (
	PermFlag      = auth.PermRecordingFlag
	PermListOwn   = auth.PermRecordingListOwn
	PermListAll   = auth.PermRecordingListAll
	PermToggle    = auth.PermRecordingControl
	PermSetPolicy = auth.PermRecordingPolicy
	PermHold      = auth.PermLegalHold
	PermDelete    = auth.PermRecordingDelete
	PermPlayback  = auth.PermPlayback
	PermExport    = auth.PermExport
	PermVerify    = auth.PermRecordingVerify
)

// Permissions decides what a role may do; *auth.Table implements it.
type Permissions interface {
	Allows(role string, p auth.Permission) bool
}

// systemPerms is what the store itself may do (retention, recovery).
var systemPerms = map[Permission]bool{PermDelete: true, PermListAll: true, PermVerify: true}

// Can reports whether the role has the permission under the default table.
// Unknown roles have none.
func (r Role) Can(p Permission) bool { return allows(nil, r, p) }

func allows(t Permissions, r Role, p Permission) bool {
	if r == RoleSystem {
		return systemPerms[p]
	}
	if t == nil {
		t = auth.DefaultTable()
	}
	return t.Allows(string(r), p)
}

// actPermissionDenied is auth.ActionPermissionDenied.
const actPermissionDenied = auth.ActionPermissionDenied

// allows asks the store's table, without auditing (filters).
func (s *Store) allows(r Role, p Permission) bool { return allows(s.cfg.Permissions, r, p) }

// permit checks a guarded action; a refusal is audited and is ErrPermission.
func (s *Store) permit(actor string, r Role, p Permission, id string) error {
	if s.allows(r, p) {
		return nil
	}
	attrs := map[string]string{"permission": p.String(), "role": string(r)}
	if id != "" {
		attrs["recording"] = id
	}
	_ = s.audit(actPermissionDenied, actor, attrs)
	return ErrPermission
}
