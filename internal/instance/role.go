package instance

// Role says whether this process owns the instance or talks to the one that does.
type Role int

const (
	// RoleSecondary is a later start: it hands its link to the primary.
	RoleSecondary Role = iota
	// RolePrimary is the running instance: it receives links on Links.
	RolePrimary
)

// String returns "primary" or "secondary".
func (r Role) String() string {
	switch r {
	case RolePrimary:
		return "primary"
	case RoleSecondary:
		return "secondary"
	default:
		return "Role(?)"
	}
}
