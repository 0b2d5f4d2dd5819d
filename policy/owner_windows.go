//go:build windows

package policy

// checkOwner: on Windows the machine policy lives in the registry under
// HKLM\Software\Policies, which only administrators may write; a FileStore
// there is for tests and tools.
func checkOwner(string, bool) error { return nil }
