package crm

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Revealing a masked field: permission, reason, audit, re-mask timer; copying the masked form.

// Auditor records security-relevant actions. Package audit implements it;
// attrs never carry an unmasked value.
type Auditor interface {
	Record(action, actor string, attrs map[string]string) error
}

// Scheduler schedules the re-masking of revealed fields; tests inject a
// fake. (What time it is comes from a func() time.Time everywhere; this is
// not a clock but a timer source.)
type Scheduler interface {
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a scheduled function that can be cancelled.
type Timer interface {
	Stop() bool
}

type realScheduler struct{}

// AfterFunc implements Scheduler with time.AfterFunc.
func (realScheduler) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// Audit actions written by a Lookup.
const (
	AuditReveal       = "crm.reveal"
	AuditRevealDenied = "crm.reveal.denied"
)

// maxReasonRunes bounds the reveal reason kept in the audit log.
const maxReasonRunes = 200

// revealTimer is the pending re-mask of one revealed field; tok tells a
// stale timer callback from the current one.
type revealTimer struct {
	t   Timer
	tok *byte
}

// Copy returns what the clipboard gets for a field: always the masked form,
// even while the field is revealed.
func (l *Lookup) Copy(key string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return "", ErrClosed
	}
	if l.selected < 0 {
		return "", ErrNoCard
	}
	f, ok := NewCard(l.contacts[l.selected], l.cfg.Policy).Field(key)
	if !ok {
		return "", ErrNotRevealable
	}
	return f.Value, nil
}

// Reveal returns the unmasked value of one field of the selected card for
// an agent whose role may reveal (canReveal) and who typed a reason. It
// writes an audit entry first (field name and customer pseudonym, never the
// value) and refuses if that fails. The field is masked again after
// RevealFor or at Close; an EventRemasked says so.
func (l *Lookup) Reveal(key, reason, actor string, canReveal bool) (string, error) {
	reason = strings.TrimSpace(reason)
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return "", ErrClosed
	}
	if l.selected < 0 {
		l.mu.Unlock()
		return "", ErrNoCard
	}
	var field *plainField
	for _, f := range buildFields(l.contacts[l.selected], l.cfg.Policy) {
		if f.Key == key {
			f := f
			field = &f
			break
		}
	}
	cust := l.contacts[l.selected].CustomerID
	attrs := map[string]string{
		"field":    key,
		"customer": l.pseudonym(cust),
	}
	if l.cfg.CallID != "" {
		attrs["call_id"] = l.cfg.CallID
	}
	l.mu.Unlock()

	if !canReveal {
		if l.cfg.Auditor != nil {
			if err := l.cfg.Auditor.Record(AuditRevealDenied, actor, attrs); err != nil {
				l.log.Error("audit of a refused reveal failed", "err", err)
			}
		}
		return "", ErrNotPermitted
	}
	if reason == "" {
		return "", ErrReasonRequired
	}
	if field == nil || !field.Masked || !field.Revealable {
		return "", ErrNotRevealable
	}
	if l.cfg.Auditor == nil {
		return "", fmt.Errorf("%w: no audit log", ErrNotRevealable)
	}
	attrs["kind"] = field.Kind.String()
	// The reason goes into the audit log as typed; it is bounded so the log
	// cannot be flooded through it.
	if r := []rune(reason); len(r) > maxReasonRunes {
		reason = string(r[:maxReasonRunes]) + "…"
	}
	attrs["reason"] = reason
	// Audit before the value leaves the package: no entry, no reveal.
	if err := l.cfg.Auditor.Record(AuditReveal, actor, attrs); err != nil {
		return "", fmt.Errorf("reveal refused, audit log not writable: %w", err)
	}

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return "", ErrClosed
	}
	if l.selected < 0 || l.custID != cust {
		return "", ErrNoCard // the agent switched customers meanwhile
	}
	if rt, ok := l.revealed[key]; ok {
		rt.t.Stop()
	}
	tok := new(byte)
	l.revealed[key] = revealTimer{t: l.clock.AfterFunc(l.cfg.RevealFor, func() { l.remask(key, tok) }), tok: tok}
	l.emitLocked(Event{Kind: EventRevealed, State: l.state, Field: key})
	return field.plain, nil
}

// remask is the timer callback: mask key again if t is still its timer.
func (l *Lookup) remask(key string, tok *byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur, ok := l.revealed[key]; !ok || cur.tok != tok || l.closed {
		return
	}
	delete(l.revealed, key)
	l.emitLocked(Event{Kind: EventRemasked, State: l.state, Field: key})
}

func (l *Lookup) remaskAllLocked() {
	for key, rt := range l.revealed {
		rt.t.Stop()
		delete(l.revealed, key)
		l.emitLocked(Event{Kind: EventRemasked, State: l.state, Field: key})
	}
}

// Revealed reports whether a field is currently revealed.
func (l *Lookup) Revealed(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, ok := l.revealed[key]
	return ok
}

var (
	processKeyOnce sync.Once
	processKey     []byte
)

// pseudonym is the customer id as it may appear in the audit log.
func (l *Lookup) pseudonym(id string) string {
	key := l.cfg.PseudonymKey
	if len(key) == 0 {
		processKeyOnce.Do(func() {
			processKey = make([]byte, 32)
			if _, err := rand.Read(processKey); err != nil {
				panic("crypto/rand: " + err.Error())
			}
		})
		key = processKey
	}
	return Pseudonym(key, id)
}

// Pseudonym is the keyed pseudonym of a customer id used in audit entries:
// "cust-" and 24 hex digits of HMAC-SHA256(key, id). The same key gives the
// same pseudonym, so a reviewer with the key can find a customer's entries.
func Pseudonym(key []byte, customerID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(customerID))
	return "cust-" + hex.EncodeToString(m.Sum(nil)[:12])
}
