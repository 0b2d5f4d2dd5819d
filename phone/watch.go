package phone

import (
	"context"
	"sync"
)

// hub fans events out to watchers. Publishing never blocks: each watcher has
// its own unbounded queue drained by the watcher's own goroutine (the one
// that called Watch), so a slow UI cannot stall a call.
type hub struct {
	mu       sync.Mutex // guards watchers
	watchers map[*watcher]struct{}
}

type watcher struct {
	mu     sync.Mutex // guards queue and closed
	queue  []Event
	closed bool
	wake   chan struct{} // capacity 1: "queue may be non-empty"
}

func (w *watcher) push(e Event) {
	w.mu.Lock()
	if !w.closed {
		w.queue = append(w.queue, e)
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *watcher) drain() []Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queue
	w.queue = nil
	return q
}

// subscribe registers a watcher with initial already queued. Lock order:
// callers that must not miss a state event hold Agent.mu (under which all
// state events are published) while computing initial and subscribing;
// hub.mu is always taken after Agent.mu, never before.
func (h *hub) subscribe(initial []Event) *watcher {
	w := &watcher{wake: make(chan struct{}, 1)}
	for _, e := range initial {
		w.push(e)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watchers == nil {
		h.watchers = make(map[*watcher]struct{})
	}
	h.watchers[w] = struct{}{}
	return w
}

func (h *hub) unsubscribe(w *watcher) {
	h.mu.Lock()
	delete(h.watchers, w)
	h.mu.Unlock()
	w.mu.Lock()
	w.closed = true
	w.queue = nil
	w.mu.Unlock()
}

// publish queues e for every watcher. Callers hold no other lock that a
// watcher callback could need, or hold Agent.mu consistently (see Agent.emitLocked).
func (h *hub) publish(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.watchers {
		w.push(e)
	}
}

// run delivers queued events to fn until ctx ends, done closes, or fn returns false.
func (w *watcher) run(ctx context.Context, done <-chan struct{}, fn func(Event) bool) {
	for {
		for _, e := range w.drain() {
			if !fn(e) {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-done:
			// Deliver what was queued before the agent closed, then stop.
			for _, e := range w.drain() {
				if !fn(e) {
					return
				}
			}
			return
		case <-w.wake:
		}
	}
}
