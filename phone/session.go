package phone

// Role is what an agent's profile may do.
type Role string

// Roles.
const (
	RoleAgent      Role = "agent"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Login describes who is logged in.
type Login struct {
	Profile  string
	Role     Role
	LoggedIn bool
	Locked   bool // idle lock: password and a fresh code are needed to continue
}

// Enrolment is what a first login shows: the TOTP secret as QR code and text.
type Enrolment struct {
	URI    string // otpauth:// URI
	Secret string // base32 secret for manual entry
	QRPNG  []byte // the URI as a PNG QR code
}
