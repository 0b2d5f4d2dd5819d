package phone

import (
	"context"
	"errors"
	"fmt"
	"time"

	"softphone/auth"
	"softphone/crm"
)

// CRMConfig connects calls to the contact directory. The sidebar shows the
// minimum by default; everything personal is masked by Policy.
type CRMConfig struct {
	Directory crm.Directory
	Policy    crm.Policy
	Region    string        // reads national numbers, e.g. "DE"
	Timeout   time.Duration // a slow CRM never blocks a call; zero = crm.DefaultTimeout
	// Auditor records reveals; without one nothing can be revealed.
	Auditor crm.Auditor
	// PseudonymKey keys customer pseudonyms in audit entries.
	PseudonymKey []byte
}

// ContactChanged forwards a change of a call's CRM lookup (state, card,
// reveal, re-mask, consent, payment). It never carries an unmasked value.
type ContactChanged struct {
	CallID string
	Event  crm.Event
}

func (ContactChanged) isEvent() {}

// keptLookups is how many ended calls keep their CRM session for wrap-up.
const keptLookups = 8

// startLookup begins the CRM lookup of a new call; a.mu is held. The result
// arrives as ContactChanged events; a CRM that is down or slow only shows
// "CRM unavailable".
func (a *Agent) startLookupLocked(c *call) {
	cc := a.cfg.CRM
	// Extensions by name ("echo", "support") are colleagues and services,
	// not customers: no lookup, no card.
	if cc == nil || c.info.Number == "" || IsUserName(c.info.Number) {
		return
	}
	c.lookup = crm.NewLookup(crm.LookupConfig{
		Directory: cc.Directory, Policy: cc.Policy, Region: cc.Region, Timeout: cc.Timeout,
		Auditor: cc.Auditor, PseudonymKey: cc.PseudonymKey, CallID: c.id, Logger: a.log,
		OnEvent: func(e crm.Event) {
			c.crmEvent(e)
			// Published under a.mu, like every state event, so Watch's
			// initial replay and the live events never miss one.
			a.mu.Lock()
			a.emitLocked(ContactChanged{CallID: c.id, Event: e})
			a.mu.Unlock()
		},
	})
	c.lookup.Start(c.ctx, c.info.Number)
	a.emitLocked(ContactChanged{CallID: c.id, Event: crm.Event{Kind: crm.EventState, State: crm.StateSearching}})
}

// contactEvent is a lookup's current state as one event, for Watch's replay.
func contactEvent(callID string, l *crm.Lookup) ContactChanged {
	st, card, matches, err := l.Snapshot()
	return ContactChanged{CallID: callID, Event: crm.Event{Kind: crm.EventState, State: st, Card: card, Matches: matches, Err: err}}
}

// crmEvent turns what the CRM knows about recording into recorder input:
// a refused consent stops recording (and discards it), a given one allows
// it under the "ask" policy; a payment in progress pauses it (PCI DSS 3.3.1).
func (c *call) crmEvent(e crm.Event) {
	switch e.Kind {
	case crm.EventConsent:
		c.a.mu.Lock()
		c.consent = e.Consent
		rec := c.rec
		c.a.mu.Unlock()
		if rec != nil {
			c.applyConsent(rec, e.Consent)
		}
	case crm.EventPayment:
		c.a.mu.Lock()
		c.payment = e.PaymentInProgress
		rec := c.rec
		c.a.mu.Unlock()
		if rec != nil {
			rec.Payment(e.PaymentInProgress)
		}
	}
}

func (c *call) applyConsent(rec interface {
	Consent(actor string, granted bool) error
	OptOut(actor string) error
}, consent crm.Consent) {
	actor, _ := c.a.actor()
	var err error
	switch consent {
	case crm.ConsentRefused:
		err = rec.OptOut(actor)
	case crm.ConsentGiven:
		err = rec.Consent(actor, true)
	}
	if err != nil {
		c.a.log.Warn("apply CRM consent to recording", "call", c.id, "err", err)
	}
}

// endLookup closes the call's CRM session (re-masks everything, drops the
// cache) but keeps it for wrap-up.
func (a *Agent) endLookupLocked(c *call) {
	if c.lookup == nil {
		return
	}
	l := c.lookup
	go l.Close() // Close waits for event delivery, which may need a.mu
	a.ended = append(a.ended, endedLookup{id: c.id, lookup: l})
	if len(a.ended) > keptLookups {
		a.ended = a.ended[1:]
	}
}

type endedLookup struct {
	id     string
	lookup *crm.Lookup
}

func (a *Agent) lookupFor(callID string) (*crm.Lookup, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.calls[callID]; ok {
		if c.lookup == nil {
			return nil, errNoCRM
		}
		return c.lookup, nil
	}
	for _, e := range a.ended {
		if e.id == callID {
			return e.lookup, nil
		}
	}
	return nil, fmt.Errorf("call %s: %w", callID, ErrNoSuchCall)
}

var errNoCRM = errors.New("no CRM is configured for this call")

// Contact returns what the CRM knows of a call's customer (masked), also
// for a recently ended call until its wrap-up.
func (a *Agent) Contact(callID string) (crm.State, *crm.Card, []crm.Card, error) {
	l, err := a.lookupFor(callID)
	if err != nil {
		return 0, nil, nil, err
	}
	return l.Snapshot()
}

// SelectContact picks one of several matching contacts.
func (a *Agent) SelectContact(callID, customerID string) error {
	l, err := a.lookupFor(callID)
	if err != nil {
		return err
	}
	_, err = l.Select(customerID)
	return err
}

// CanReveal reports whether the logged-in role may reveal masked fields.
func (a *Agent) CanReveal() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.session != nil && a.session.Can(auth.PermReveal)
}

// RevealField returns the plain value of a masked field. It needs the
// permission and a reason, writes an audit entry (field and customer
// pseudonym only), and the field is masked again after 30 s or at call end
// (ContactChanged with crm.EventRemasked): the caller must drop the value then.
func (a *Agent) RevealField(callID, key, reason string) (string, error) {
	l, err := a.lookupFor(callID)
	if err != nil {
		return "", err
	}
	actor, _ := a.actor()
	return l.Reveal(key, reason, actor, a.CanReveal())
}

// CopyField returns what a copy of the field puts on the clipboard: the
// masked form, always.
func (a *Agent) CopyField(callID, key string) (string, error) {
	l, err := a.lookupFor(callID)
	if err != nil {
		return "", err
	}
	return l.Copy(key)
}

// WrapUp writes the call's notes and wrap-up code back to the CRM.
func (a *Agent) WrapUp(ctx context.Context, callID, code, notes string) error {
	l, err := a.lookupFor(callID)
	if err != nil {
		return err
	}
	actor, _ := a.actor()
	return l.WrapUp(ctx, actor, code, notes)
}
