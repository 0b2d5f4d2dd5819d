package recording

// Role is the actor's role, as in the login (phone.Role has the same values).
type Role string

// Roles.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
	// RoleSystem is the store itself (retention sweep, crash recovery).
	RoleSystem Role = "system"
)

// Permission is one thing a role may do with recordings.
type Permission int

// Permissions.
const (
	PermFlag      Permission = iota + 1 // flag a recording for review
	PermListOwn                         // list one's own recordings
	PermListAll                         // list everyone's recordings, see flagged ones
	PermToggle                          // switch recording on/off for a call
	PermSetPolicy                       // change the default policy
	PermHold                            // set and release legal hold
	PermDelete                          // delete (crypto-shred) a recording
	PermPlayback                        // decrypt for listening
	PermExport                          // decrypt to a file
	PermVerify                          // check integrity of all recordings
)

// String returns the permission as shown to users and in JSON output.
func (p Permission) String() string {
	switch p {
	case PermFlag:
		return "flag"
	case PermListOwn:
		return "list-own"
	case PermListAll:
		return "list-all"
	case PermToggle:
		return "toggle"
	case PermSetPolicy:
		return "set-policy"
	case PermHold:
		return "hold"
	case PermDelete:
		return "delete"
	case PermPlayback:
		return "playback"
	case PermExport:
		return "export"
	case PermVerify:
		return "verify"
	}
	return "unknown"
}

var rolePerms = map[Role][]Permission{
	RoleAgent:      {PermFlag, PermListOwn},
	RoleSupervisor: {PermFlag, PermListOwn, PermListAll, PermToggle, PermSetPolicy, PermHold, PermDelete, PermPlayback, PermExport, PermVerify},
	RoleAdmin:      {PermFlag, PermListOwn, PermListAll, PermToggle, PermSetPolicy, PermHold, PermDelete, PermPlayback, PermExport, PermVerify},
	RoleSystem:     {PermDelete, PermListAll, PermVerify},
}

// Can reports whether the role has the permission. Unknown roles have none.
func (r Role) Can(p Permission) bool {
	for _, q := range rolePerms[r] {
		if q == p {
			return true
		}
	}
	return false
}
