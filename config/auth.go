package config

import "time"

// Auth is the login policy.
type Auth struct {
	// IdleLock locks the desktop after this long without input (never during a call).
	IdleLock time.Duration `toml:"idle_lock"`
}

func defaultAuth() Auth { return Auth{IdleLock: 10 * time.Minute} }
