package auth

import (
	"fmt"
	"time"
)

// Policy is the login policy. Zero fields take the defaults.
type Policy struct {
	// MaxFailures is how many failed attempts lock the profile (1–10, default 10).
	MaxFailures int
	// Lockout is how long a locked profile stays locked (≥ 30 min, default 30 min).
	Lockout time.Duration
	// BaseDelay is the wait before the attempt after the first failure; it
	// doubles with each further failure up to MaxDelay (defaults 1 s, 30 s).
	BaseDelay, MaxDelay time.Duration
	// Hash is the argon2id cost for new password hashes (default DefaultHashParams).
	Hash HashParams
	// Issuer is the name shown in authenticator apps (default "Softphone").
	Issuer string
}

// Policy limits that configuration cannot loosen.
const (
	maxMaxFailures = 10
	minLockout     = 30 * time.Minute
)

// DefaultPolicy returns the production policy.
func DefaultPolicy() Policy {
	return Policy{
		MaxFailures: maxMaxFailures,
		Lockout:     minLockout,
		BaseDelay:   time.Second,
		MaxDelay:    30 * time.Second,
		Hash:        DefaultHashParams,
		Issuer:      "Softphone",
	}
}

// withDefaults fills zero fields and checks the limits.
func (p Policy) withDefaults() (Policy, error) {
	d := DefaultPolicy()
	if p.MaxFailures == 0 {
		p.MaxFailures = d.MaxFailures
	}
	if p.Lockout == 0 {
		p.Lockout = d.Lockout
	}
	if p.BaseDelay == 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.Hash == (HashParams{}) {
		p.Hash = d.Hash
	}
	if p.Issuer == "" {
		p.Issuer = d.Issuer
	}
	switch {
	case p.MaxFailures < 1 || p.MaxFailures > maxMaxFailures:
		return p, fmt.Errorf("auth policy: max failures %d: want 1..%d", p.MaxFailures, maxMaxFailures)
	case p.Lockout < minLockout:
		return p, fmt.Errorf("auth policy: lockout %s: want at least %s", p.Lockout, minLockout)
	case p.BaseDelay < 0 || p.MaxDelay < p.BaseDelay:
		return p, fmt.Errorf("auth policy: bad throttle delays %s..%s", p.BaseDelay, p.MaxDelay)
	}
	if err := p.Hash.validate(); err != nil {
		return p, fmt.Errorf("auth policy: %w", err)
	}
	return p, nil
}

// delay is the wait required after the failures-th consecutive failure
// before the next attempt is checked: BaseDelay·2^(failures−1), capped.
func (p Policy) delay(failures int) time.Duration {
	if failures <= 0 {
		return 0
	}
	d := p.BaseDelay
	for i := 1; i < failures && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}
