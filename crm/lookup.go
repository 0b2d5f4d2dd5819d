package crm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

var errNoDirectory = fmt.Errorf("%w: no contact directory configured", ErrUnavailable)

// Default timings.
const (
	DefaultTimeout      = 1500 * time.Millisecond
	DefaultRevealFor    = 30 * time.Second
	DefaultWriteTimeout = 5 * time.Second
)

// LookupConfig is what a per-call Lookup needs.
type LookupConfig struct {
	Directory Directory
	Policy    Policy
	// Region reads national numbers ("DE").
	Region string
	// Timeout bounds the lookup (DefaultTimeout if zero).
	Timeout time.Duration
	// RevealFor is how long a revealed field stays revealed (DefaultRevealFor if zero).
	RevealFor time.Duration
	// WriteTimeout bounds the wrap-up write-back (DefaultWriteTimeout if zero).
	WriteTimeout time.Duration
	// Auditor records reveals; without one nothing can be revealed.
	Auditor Auditor
	// PseudonymKey keys the customer pseudonym in audit entries
	// (HMAC-SHA256). Pass a key that outlives the process so entries can be
	// correlated; if empty, a random per-process key is used.
	PseudonymKey []byte
	// CallID goes into audit entries and the wrap-up.
	CallID string
	// OnEvent receives every change, in order, on a goroutine of the Lookup.
	// It may call the Lookup's methods except Close (which waits for it),
	// and should return quickly.
	OnEvent func(Event)
	Logger  *slog.Logger
	// Scheduler times the re-masking; nil is time.AfterFunc (tests set a fake).
	Scheduler Scheduler
}

// Lookup states.
const (
	StateIdle        State = iota // not started
	StateSearching                // asking the directory
	StateFound                    // one contact selected: Card is valid
	StateChoosing                 // several contacts have the number: the agent picks (Select)
	StateNotFound                 // no contact (or no usable number)
	StateUnavailable              // the CRM is down, slow or refused: "CRM unavailable"
	StateClosed                   // the call is over
)

// Event kinds.
const (
	EventState    EventKind = iota // State (and Card or Matches) changed
	EventRevealed                  // Field was revealed
	EventRemasked                  // Field is masked again (timeout or call end)
	EventConsent                   // the selected customer's recording Consent
	EventPayment                   // PaymentInProgress of the selected customer changed (or is first known)
)

// Lookup is the CRM side of one call: it finds the caller, holds the
// result for the call only, and enforces the reveal rules. Create one per
// call with NewLookup, Start it, and Close it at call end.
type Lookup struct {
	cfg   LookupConfig
	clock Scheduler
	log   *slog.Logger

	mu sync.Mutex // guards everything below; held only briefly, never while calling out
	// state etc. are written by Start's goroutine, Select, Reveal, the re-mask
	// timers and Close; read by the accessors.
	state    State
	e164     string
	err      error
	contacts []Contact // the call's cache; nil after Close
	selected int       // index into contacts, -1 if none
	custID   string    // selected customer id, kept after Close for WrapUp
	revealed map[string]revealTimer
	cancel   context.CancelFunc // of the running directory request
	closed   bool
	queue    []Event // events waiting for the dispatcher

	wake     chan struct{} // dispatcher wake-up (cap 1)
	done     chan struct{} // closed by Close: dispatcher drains and exits
	workers  sync.WaitGroup
	dispDone chan struct{}
}

// NewLookup creates the Lookup of one call. It starts one goroutine that
// delivers events; Close stops it.
func NewLookup(cfg LookupConfig) *Lookup {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.RevealFor <= 0 {
		cfg.RevealFor = DefaultRevealFor
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	l := &Lookup{
		cfg:      cfg,
		clock:    cfg.Scheduler,
		selected: -1,
		revealed: map[string]revealTimer{},
		wake:     make(chan struct{}, 1),
		done:     make(chan struct{}),
		dispDone: make(chan struct{}),
	}
	if l.clock == nil {
		l.clock = realScheduler{}
	}
	l.log = cfg.Logger
	if l.log == nil {
		l.log = slog.Default()
	}
	l.log = l.log.With("component", "crm")
	go l.dispatch()
	return l
}

// dispatch delivers queued events in order until Close, then drains.
func (l *Lookup) dispatch() {
	defer close(l.dispDone)
	for {
		select {
		case <-l.wake:
		case <-l.done:
			l.deliver()
			return
		}
		l.deliver()
	}
}

func (l *Lookup) deliver() {
	for {
		l.mu.Lock()
		q := l.queue
		l.queue = nil
		l.mu.Unlock()
		if len(q) == 0 {
			return
		}
		for _, ev := range q {
			if l.cfg.OnEvent != nil {
				l.cfg.OnEvent(ev)
			}
		}
	}
}

// emitLocked queues ev for the dispatcher.
func (l *Lookup) emitLocked(ev Event) {
	l.queue = append(l.queue, ev)
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Start looks number up in the background and returns at once; the result
// arrives as an EventState. A number that cannot be normalised (withheld,
// internal extension) ends in StateNotFound. Within one call the result is
// cached: starting again with the same number does not ask the CRM again.
func (l *Lookup) Start(ctx context.Context, number string) {
	e164, nerr := Normalize(number, l.cfg.Region)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if nerr == nil && e164 == l.e164 {
		switch l.state {
		case StateSearching:
			return // already asking
		case StateFound, StateChoosing, StateNotFound:
			l.emitLocked(l.stateEventLocked()) // cached for the call
			return
		}
	}
	if l.cancel != nil {
		l.cancel()
	}
	l.e164, l.contacts, l.selected, l.err = e164, nil, -1, nil
	if nerr != nil {
		l.setStateLocked(StateNotFound, nil)
		return
	}
	if l.cfg.Directory == nil {
		l.setStateLocked(StateUnavailable, errNoDirectory)
		return
	}
	l.setStateLocked(StateSearching, nil)
	rctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	l.cancel = cancel
	l.workers.Add(1)
	go func() {
		defer l.workers.Done()
		defer cancel()
		cs, err := l.cfg.Directory.LookupNumber(rctx, e164)
		l.finish(e164, cs, classify(rctx, err))
	}()
}

// classify turns a directory error into what the sidebar shows.
func classify(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnauthorized), errors.Is(err, ErrUnavailable):
		return err
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%w: no answer in time", ErrUnavailable)
	default:
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
}

// finish stores a lookup result unless the Lookup moved on meanwhile.
func (l *Lookup) finish(e164 string, cs []Contact, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.e164 != e164 || l.state != StateSearching {
		return
	}
	l.cancel = nil
	switch {
	case err != nil:
		l.log.Warn("crm lookup failed", "number", Number(e164), "err", err)
		l.setStateLocked(StateUnavailable, err)
	case len(cs) == 0:
		l.setStateLocked(StateNotFound, nil)
	case len(cs) == 1:
		l.contacts = cs
		l.selectLocked(0)
	default:
		l.contacts = cs
		l.setStateLocked(StateChoosing, nil)
	}
}

func (l *Lookup) setStateLocked(s State, err error) {
	l.state, l.err = s, err
	l.emitLocked(l.stateEventLocked())
}

func (l *Lookup) stateEventLocked() Event {
	ev := Event{Kind: EventState, State: l.state, Err: l.err}
	switch l.state {
	case StateFound:
		c := NewCard(l.contacts[l.selected], l.cfg.Policy)
		ev.Card = &c
	case StateChoosing:
		ev.Matches = l.matchesLocked()
	}
	return ev
}

func (l *Lookup) matchesLocked() []Card {
	out := make([]Card, len(l.contacts))
	for i, c := range l.contacts {
		out[i] = NewCard(c, l.cfg.Policy)
	}
	return out
}

func (l *Lookup) selectLocked(i int) {
	l.remaskAllLocked()
	l.selected = i
	c := l.contacts[i]
	l.custID = c.CustomerID
	l.setStateLocked(StateFound, nil)
	card := NewCard(c, l.cfg.Policy)
	l.emitLocked(Event{Kind: EventConsent, State: StateFound, Card: &card, Consent: c.Consent})
	l.emitLocked(Event{Kind: EventPayment, State: StateFound, Card: &card, PaymentInProgress: c.PaymentInProgress})
}

// Select picks one of several matches (StateChoosing) by customer id; the
// agent may also switch to another match later.
func (l *Lookup) Select(customerID string) (Card, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return Card{}, ErrClosed
	}
	for i, c := range l.contacts {
		if c.CustomerID == customerID {
			l.selectLocked(i)
			return NewCard(c, l.cfg.Policy), nil
		}
	}
	return Card{}, ErrNoCard
}

// Snapshot returns the state, the selected card (if any), the matches to
// choose from (StateChoosing) and why the CRM is unavailable.
func (l *Lookup) Snapshot() (State, *Card, []Card, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.stateEventLocked()
	return ev.State, ev.Card, ev.Matches, ev.Err
}

// State returns the current state.
func (l *Lookup) State() State {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// Refresh asks the CRM again for the selected customer (e.g. to notice
// "payment in progress" set by the CRM during the call). It returns at
// once; a change of consent or payment arrives as an event. Errors are
// logged and leave the card as it is.
func (l *Lookup) Refresh(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || l.selected < 0 || l.cfg.Directory == nil {
		return
	}
	id := l.custID
	rctx, cancel := context.WithTimeout(ctx, l.cfg.Timeout)
	l.workers.Add(1)
	go func() {
		defer l.workers.Done()
		defer cancel()
		c, err := l.cfg.Directory.LookupCustomer(rctx, id)
		l.mu.Lock()
		defer l.mu.Unlock()
		if err != nil {
			l.log.Warn("crm refresh failed", "err", err)
			return
		}
		if l.closed || l.selected < 0 || l.custID != id {
			return
		}
		old := l.contacts[l.selected]
		l.contacts[l.selected] = c
		card := NewCard(c, l.cfg.Policy)
		if old.Consent != c.Consent {
			l.emitLocked(Event{Kind: EventConsent, State: l.state, Card: &card, Consent: c.Consent})
		}
		if old.PaymentInProgress != c.PaymentInProgress {
			l.emitLocked(Event{Kind: EventPayment, State: l.state, Card: &card, PaymentInProgress: c.PaymentInProgress})
		}
	}()
}

// WrapUp writes the call notes and the wrap-up code of the selected
// customer back to the CRM, bounded by WriteTimeout. It also works after
// Close (the agent writes notes once the call is over).
func (l *Lookup) WrapUp(ctx context.Context, agent, code, notes string) error {
	l.mu.Lock()
	id := l.custID
	l.mu.Unlock()
	if id == "" {
		return ErrNoCard
	}
	if l.cfg.Directory == nil {
		return errNoDirectory
	}
	wctx, cancel := context.WithTimeout(ctx, l.cfg.WriteTimeout)
	defer cancel()
	err := l.cfg.Directory.WriteWrapUp(wctx, WrapUp{
		CustomerID: id, CallID: l.cfg.CallID, Agent: agent,
		Code: code, Notes: notes, At: time.Now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("write wrap-up: %w", classify(wctx, err))
	}
	return nil
}

// Close ends the call's CRM session: it masks every revealed field again,
// drops the cached contacts, cancels a running lookup and stops the event
// goroutine after delivering the last events. Idempotent.
func (l *Lookup) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
	}
	l.remaskAllLocked()
	l.contacts, l.selected = nil, -1
	l.setStateLocked(StateClosed, nil)
	l.closed = true
	l.mu.Unlock()

	l.workers.Wait() // directory calls return promptly: their ctx is cancelled
	close(l.done)
	<-l.dispDone
	return nil
}
