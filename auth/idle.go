package auth

import (
	"context"
	"sync"
	"time"
)

// DefaultIdleTimeout is the idle lock time when none is configured.
const DefaultIdleTimeout = 10 * time.Minute

// IdleState is whether the desktop is usable or idle-locked.
type IdleState int

// Idle states.
const (
	IdleActive IdleState = iota // usable
	IdleLocked                  // locked: password and a fresh code needed (Service.UnlockIdle)
)

// String returns "active" or "locked".
func (s IdleState) String() string {
	switch s {
	case IdleActive:
		return "active"
	case IdleLocked:
		return "locked"
	}
	return "unknown"
}

// IdleLock is the idle lock policy: after Timeout without user activity the
// session locks, but never while a call is in progress (the idle period
// starts again when the call ends). It does no I/O and starts no goroutine:
// the UI reports Activity and call changes and calls Check on a ticker (or
// at Deadline). Safe for concurrent use.
type IdleLock struct {
	now     func() time.Time
	timeout time.Duration

	mu     sync.Mutex // guards the fields below; any goroutine may call any method
	last   time.Time  // last activity, or end of the last call
	inCall bool
	state  IdleState
}

// NewIdleLock returns an active lock. timeout ≤ 0 means DefaultIdleTimeout;
// a nil now is time.Now.
func NewIdleLock(timeout time.Duration, now func() time.Time) *IdleLock {
	if timeout <= 0 {
		timeout = DefaultIdleTimeout
	}
	if now == nil {
		now = time.Now
	}
	return &IdleLock{now: now, timeout: timeout, last: now()}
}

// Timeout is the configured idle time.
func (l *IdleLock) Timeout() time.Duration { return l.timeout }

// Activity records user input. It does not unlock a locked session.
func (l *IdleLock) Activity() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == IdleActive {
		l.last = l.now()
	}
}

// SetInCall tells whether a call is in progress. Ending a call restarts the
// idle period, so the lock never falls right after a long call.
func (l *IdleLock) SetInCall(in bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.inCall && !in {
		l.last = l.now()
	}
	l.inCall = in
}

// Check locks the session if it has been idle for Timeout outside a call,
// and returns the state.
func (l *IdleLock) Check() IdleState {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state == IdleActive && !l.inCall && !l.now().Before(l.last.Add(l.timeout)) {
		l.state = IdleLocked
	}
	return l.state
}

// State returns the state without checking the time.
func (l *IdleLock) State() IdleState {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.state
}

// Lock locks at once (the agent chose "lock").
func (l *IdleLock) Lock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state = IdleLocked
}

// Deadline is when Check will lock next; ok is false while locked or in a call.
func (l *IdleLock) Deadline() (t time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.state != IdleActive || l.inCall {
		return time.Time{}, false
	}
	return l.last.Add(l.timeout), true
}

// unlock is reachable only through Service.UnlockIdle, after the password
// and a fresh code were checked.
func (l *IdleLock) unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.state = IdleActive
	l.last = l.now()
}

// UnlockIdle unlocks an idle-locked session with the password and a fresh
// TOTP code of the session's profile (recovery codes are not accepted here;
// a code used before is refused). Failures count towards the lockout; a
// lockout closes the session.
func (s *Service) UnlockIdle(ctx context.Context, lock *IdleLock, sess *Session, password, code string) error {
	if err := s.Reauthenticate(ctx, sess, password, code); err != nil {
		return err
	}
	lock.unlock()
	return nil
}
