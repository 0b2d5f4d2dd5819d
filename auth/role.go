package auth

import "fmt"

// Role is what a profile may do. The values match phone.Role.
type Role string

// Roles.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
	// RoleDPO is the data protection officer: erasure, legal hold, audit
	// export. It does not handle calls.
	RoleDPO Role = "dpo"
)

// Roles lists every role, in the order of the permission matrix.
var Roles = []Role{RoleAgent, RoleSupervisor, RoleAdmin, RoleDPO}

// ParseRole accepts "agent", "supervisor", "admin" or "dpo".
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleAgent, RoleSupervisor, RoleAdmin, RoleDPO:
		return r, nil
	}
	return "", fmt.Errorf("%w: %q", ErrInvalidRole, s)
}

// String returns the role's name.
func (r Role) String() string { return string(r) }

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool {
	_, err := ParseRole(string(r))
	return err == nil
}

// Can reports whether the role has permission p under the default table
// (no policy grants or revocations).
func (r Role) Can(p Permission) bool { return DefaultTable().Can(r, p) }
