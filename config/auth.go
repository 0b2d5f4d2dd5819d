package config

import (
	"fmt"
	"time"
)

// Auth is the login policy.
type Auth struct {
	// IdleLock locks the desktop after this long without input (never during a call).
	IdleLock time.Duration `toml:"idle_lock"`
	// MaxFailures is how many failed logins lock a profile (1–10; 0 = 10).
	MaxFailures int `toml:"max_failures"`
	// Lockout is how long a locked profile stays locked (at least 30 min; 0 = 30 min).
	Lockout time.Duration `toml:"lockout"`
	// ProfileDir overrides where login profiles live
	// ("" = the user config directory's softphone/profiles).
	ProfileDir string `toml:"profile_dir"`
	// Vault selects where secrets are kept: "auto" (OS keyring if reachable,
	// else an encrypted file), "keyring" or "file". Secrets never go into
	// this configuration file.
	Vault string `toml:"vault"`
}

func defaultAuth() Auth {
	return Auth{IdleLock: 10 * time.Minute, MaxFailures: 10, Lockout: 30 * time.Minute, Vault: "auto"}
}

// Validate reports a login policy that would be weaker than allowed.
// (Config.Validate should call it.)
func (a Auth) Validate() error {
	switch {
	case a.IdleLock < 0:
		return fmt.Errorf("auth.idle_lock %s: must not be negative", a.IdleLock)
	case a.MaxFailures < 0 || a.MaxFailures > 10:
		return fmt.Errorf("auth.max_failures %d: want 1..10", a.MaxFailures)
	case a.Lockout != 0 && a.Lockout < 30*time.Minute:
		return fmt.Errorf("auth.lockout %s: want at least 30m", a.Lockout)
	}
	switch a.Vault {
	case "", "auto", "keyring", "file":
	default:
		return fmt.Errorf("auth.vault %q: want auto, keyring or file", a.Vault)
	}
	return nil
}
