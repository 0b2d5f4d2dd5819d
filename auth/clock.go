package auth

import (
	"context"
	"time"
)

// Clock is the time source of the Service and the IdleLock, replaceable in
// tests so TOTP steps, throttling and lockouts are deterministic.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits d or until ctx ends, whichever is first; it returns
	// ctx.Err() in the latter case.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx ends.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
