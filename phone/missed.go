package phone

import (
	"context"
	"fmt"
	"time"
)

// MissedCall is an incoming call nobody answered: the caller hung up while
// it rang, or it was refused while the agent was not available. Calls from
// the same number are merged (Count, newest time). Kept in memory only,
// as many and as long as policy allows (WorkdayPolicy.MissedCalls).
type MissedCall struct {
	ID     string // stable for CallBack and DismissMissed
	Number string // as received (personal data: mask before showing or logging)
	Remote string // the caller's URI
	Name   string // display name, if any
	At     time.Time
	Count  int
	// Unavailable: refused because the agent was not available.
	Unavailable bool
}

// MissedCallsChanged carries the whole list, newest first, after every
// change; Watch replays it when the list is not empty.
type MissedCallsChanged struct{ Calls []MissedCall }

func (MissedCallsChanged) isEvent() {}

// missedList is the missed calls; guarded by Agent.mu.
type missedList struct {
	calls  []MissedCall // newest first
	nextID int
}

// addMissedLocked records a missed call from number and announces the list.
func (a *Agent) addMissedLocked(number, remote, name string, unavailable bool) {
	keep, keepFor := a.workday().MissedCalls()
	if keep <= 0 {
		return
	}
	now := time.Now()
	m := MissedCall{Number: number, Remote: remote, Name: name, At: now, Count: 1, Unavailable: unavailable}
	l := &a.missed
	for i, old := range l.calls {
		if old.Number == number && number != "" {
			m.ID, m.Count = old.ID, old.Count+1
			l.calls = append(l.calls[:i], l.calls[i+1:]...)
			break
		}
	}
	if m.ID == "" {
		l.nextID++
		m.ID = fmt.Sprintf("m%d", l.nextID)
	}
	l.calls = append([]MissedCall{m}, l.calls...)
	a.pruneMissedLocked(now, keep, keepFor)
	a.emitLocked(MissedCallsChanged{Calls: append([]MissedCall(nil), l.calls...)})
}

// pruneMissedLocked drops what policy does not allow to keep.
func (a *Agent) pruneMissedLocked(now time.Time, keep int, keepFor time.Duration) {
	l := &a.missed
	if len(l.calls) > keep {
		l.calls = l.calls[:keep]
	}
	for len(l.calls) > 0 && keepFor > 0 && now.Sub(l.calls[len(l.calls)-1].At) > keepFor {
		l.calls = l.calls[:len(l.calls)-1]
	}
}

// MissedCalls returns the missed calls kept, newest first.
func (a *Agent) MissedCalls() []MissedCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	keep, keepFor := a.workday().MissedCalls()
	a.pruneMissedLocked(time.Now(), keep, keepFor)
	return append([]MissedCall(nil), a.missed.calls...)
}

// takeMissedLocked removes the missed call id from the list.
func (a *Agent) takeMissedLocked(id string) (MissedCall, error) {
	l := &a.missed
	for i, m := range l.calls {
		if m.ID == id {
			l.calls = append(l.calls[:i], l.calls[i+1:]...)
			a.emitLocked(MissedCallsChanged{Calls: append([]MissedCall(nil), l.calls...)})
			return m, nil
		}
	}
	return MissedCall{}, fmt.Errorf("missed call %s: %w", id, ErrNoSuchCall)
}

// DismissMissed removes a missed call from the list.
func (a *Agent) DismissMissed(id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, err := a.takeMissedLocked(id)
	return err
}

// CallBack dials the caller of a missed call and removes it from the list.
func (a *Agent) CallBack(ctx context.Context, id string) (string, error) {
	a.mu.Lock()
	m, err := a.takeMissedLocked(id)
	a.mu.Unlock()
	if err != nil {
		return "", err
	}
	target := m.Number
	if target == "" {
		target = m.Remote
	}
	return a.Dial(ctx, target)
}
