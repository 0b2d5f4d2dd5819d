//go:build !windows && !darwin

package policy

// MachinePolicyPath is the Linux machine policy file (root-owned, not
// writable by group or others).
const MachinePolicyPath = "/etc/softphone/policy.toml"

// MachineStore is this OS's machine policy store.
func MachineStore() Store { return FileStore{Path: MachinePolicyPath, RequireRoot: true} }
