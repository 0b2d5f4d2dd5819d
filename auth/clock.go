package auth

import (
	"context"
	"time"
)

// sleepCtx waits d or until ctx ends, whichever is first; it returns
// ctx.Err() in the latter case. It is the Service's default sleep (see
// WithSleep).
func sleepCtx(ctx context.Context, d time.Duration) error {
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
