package ui

import (
	"context"
	"sync"
	"time"

	"softphone/phone"
)

// adapter watches the phone and hands its events to the Fyne thread.
// Registration and call events are delivered in order, one deliver (fyne.Do)
// each; statistics are coalesced to at most one delivery per rate (~15 Hz),
// keeping the latest value per call, so a chatty phone cannot flood the UI.
type adapter struct {
	rate    time.Duration
	deliver func(func())                     // runs fn on the Fyne thread (fyne.Do)
	onEvent func(phone.Event)                // Fyne thread
	onStats func(map[string]phone.CallStats) // Fyne thread
	manual  bool                             // tests: no timer, call flush by hand

	mu        sync.Mutex                 // guards the fields below; taken by the watch goroutine and timers
	pending   map[string]phone.CallStats // latest stats per call not yet delivered
	timer     *time.Timer                // scheduled flush, nil when none
	lastFlush time.Time
	stopped   bool
}

func newAdapter(rate time.Duration, deliver func(func()), onEvent func(phone.Event), onStats func(map[string]phone.CallStats)) *adapter {
	return &adapter{rate: rate, deliver: deliver, onEvent: onEvent, onStats: onStats, pending: map[string]phone.CallStats{}}
}

// start watches p until ctx ends. Watch runs in its own goroutine (joined
// through wg) because phone.Agent's Watch blocks until ctx ends.
func (a *adapter) start(ctx context.Context, p Phone, wg *sync.WaitGroup) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.Watch(ctx, func(ev phone.Event) bool {
			if ctx.Err() != nil {
				return false
			}
			a.handle(ev)
			return true
		})
	}()
}

// handle runs on the phone's goroutine and never blocks.
func (a *adapter) handle(ev phone.Event) {
	if s, ok := ev.(phone.StatsUpdated); ok {
		a.queueStats(s)
		return
	}
	a.mu.Lock()
	stopped := a.stopped
	a.mu.Unlock()
	if stopped {
		return
	}
	a.deliver(func() { a.onEvent(ev) })
}

func (a *adapter) queueStats(s phone.StatsUpdated) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.stopped {
		return
	}
	a.pending[s.CallID] = s.Stats
	if a.timer != nil || a.manual {
		return // a scheduled flush will carry this value
	}
	wait := max(0, a.rate-time.Since(a.lastFlush))
	a.timer = time.AfterFunc(wait, a.flush)
}

// flush delivers the pending statistics.
func (a *adapter) flush() {
	a.mu.Lock()
	a.timer = nil
	if a.stopped || len(a.pending) == 0 {
		a.mu.Unlock()
		return
	}
	batch := a.pending
	a.pending = map[string]phone.CallStats{}
	a.lastFlush = time.Now()
	a.mu.Unlock()
	a.deliver(func() { a.onStats(batch) })
}

// stop cancels a scheduled flush; later events are dropped. Idempotent.
func (a *adapter) stop() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stopped = true
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
}
