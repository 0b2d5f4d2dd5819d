package audio

import (
	"context"
	"time"
)

// frameClock wakes the media goroutine once per frame.
type frameClock interface {
	// wait blocks until the next tick; false when the call ended.
	wait() bool
	close()
}

// tickerClock is the portable frame clock: a Go ticker.
type tickerClock struct {
	ctx context.Context
	t   *time.Ticker
}

func newTickerClock(ctx context.Context, period time.Duration) *tickerClock {
	return &tickerClock{ctx: ctx, t: time.NewTicker(period)}
}

func (c *tickerClock) wait() bool {
	select {
	case <-c.ctx.Done():
		return false
	case <-c.t.C:
		return true
	}
}

func (c *tickerClock) close() { c.t.Stop() }
