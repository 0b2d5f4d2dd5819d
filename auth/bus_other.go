//go:build !(linux || freebsd || netbsd || openbsd || dragonfly)

package auth

// sessionBusLikely is true where the keyring is not reached over D-Bus
// (Keychain, Credential Manager): the probe itself decides.
func sessionBusLikely() bool { return true }
