//go:build !linux

package audio

import (
	"context"
	"time"
)

// newFrameClock returns a clock that ticks every period until ctx ends.
func newFrameClock(ctx context.Context, period time.Duration) frameClock {
	return newTickerClock(ctx, period)
}
