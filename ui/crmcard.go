package ui

import (
	"time"

	"softphone/crm"
	"softphone/phone"
)

// This file is the CRM card's model: plain Go without Fyne, tested on its
// own (crmcard_test.go). crmpanel.go is its view.

// contact is what the phone last said about one call's customer.
type contact struct {
	state   crm.State
	card    *crm.Card // masked
	matches []crm.Card
	err     error // why the CRM is unavailable
}

// revealed is the one field whose plain value is on screen.
type revealed struct {
	callID, key string
	value       string
	until       time.Time
}

// cardStatus is what the card shows.
type cardStatus int

// Card statuses.
const (
	cardNoCall      cardStatus = iota // no call in focus
	cardNoCRM                         // the call has no CRM lookup (not configured, extension, no number)
	cardSearching                     // the lookup runs
	cardNotFound                      // no customer has this number
	cardUnavailable                   // the CRM is down or refused us
	cardClosed                        // the call is over, the record closed
	cardChoosing                      // several customers have the number
	cardFound                         // one customer's (masked) card
)

// String names the status for logs and tests.
func (s cardStatus) String() string {
	return [...]string{"no call", "no CRM", "searching", "not found", "unavailable", "closed", "choosing", "found"}[s]
}

// cardView is what the view draws for the focused call.
type cardView struct {
	status  cardStatus
	err     error      // with cardUnavailable
	card    *crm.Card  // with cardFound
	matches []crm.Card // with cardChoosing
	reveal  *revealed  // the focused card's revealed field, if any
}

// maxContacts bounds the calls whose contact is kept (the phone keeps the
// lookups of 8 ended calls for their wrap-up).
const maxContacts = 32

// crmCards follows every call's contact from phone.ContactChanged (which
// Watch replays for a late view), the call in focus, the one revealed
// value, and the ended call waiting for its wrap-up.
type crmCards struct {
	contacts map[string]*contact
	order    []string // call ids in the order first seen, for the bound
	focus    string
	reveal   *revealed
	found    map[string]bool // calls whose customer was found: a wrap-up is possible
	wrapID   string          // the ended call waiting for its wrap-up; "" when none
}

func newCRMCards() *crmCards {
	return &crmCards{contacts: map[string]*contact{}, found: map[string]bool{}}
}

// focusOn follows the call in focus ("" for none). A different call drops
// the revealed value. It reports whether the focus changed.
func (m *crmCards) focusOn(id string) bool {
	if id == m.focus {
		return false
	}
	m.dropReveal()
	m.focus = id
	return true
}

// apply takes a contact change of any call. It reports whether the
// focused card changed (the view must draw again).
func (m *crmCards) apply(e phone.ContactChanged) bool {
	ev := e.Event
	if ev.Kind == crm.EventRevealed {
		return false // the value came back from RevealField
	}
	c := m.contacts[e.CallID]
	if c == nil {
		if ev.Kind != crm.EventState {
			return false // consent/payment/re-mask of a card never seen
		}
		c = &contact{}
		m.contacts[e.CallID] = c
		m.order = append(m.order, e.CallID)
		m.trim()
	}
	focused := e.CallID == m.focus
	switch ev.Kind {
	case crm.EventState:
		c.state, c.card, c.matches, c.err = ev.State, ev.Card, ev.Matches, ev.Err
		if ev.State == crm.StateFound && ev.Card != nil {
			m.found[e.CallID] = true
		}
		if ev.State != crm.StateFound && m.reveal != nil && m.reveal.callID == e.CallID {
			m.dropReveal()
		}
	case crm.EventRemasked:
		if m.reveal != nil && m.reveal.callID == e.CallID && m.reveal.key == ev.Field {
			m.dropReveal()
			return focused
		}
		return false
	case crm.EventConsent:
		if c.card == nil {
			return false
		}
		card := *c.card
		card.Consent = ev.Consent
		c.card = &card
	case crm.EventPayment:
		if c.card == nil {
			return false
		}
		card := *c.card
		card.PaymentInProgress = ev.PaymentInProgress
		c.card = &card
	}
	return focused
}

// trim forgets the oldest calls beyond maxContacts (never the focused one).
func (m *crmCards) trim() {
	for len(m.order) > maxContacts {
		id := m.order[0]
		m.order = m.order[1:]
		if id == m.focus {
			m.order = append(m.order, id)
			continue
		}
		delete(m.contacts, id)
		delete(m.found, id)
	}
}

// callEnded drops a revealed value of the call and, when the call was
// answered and its customer found, offers the wrap-up. It reports whether
// the card (changed) and the wrap-up form (offered) need drawing.
func (m *crmCards) callEnded(c phone.CallInfo) (changed, offered bool) {
	if m.reveal != nil && m.reveal.callID == c.ID {
		m.dropReveal()
		changed = true
	}
	if m.found[c.ID] && !c.Answered.IsZero() {
		m.wrapID = c.ID
		offered = true
	}
	delete(m.found, c.ID)
	return changed, offered
}

// view is what to draw for the focused call.
func (m *crmCards) view() cardView {
	if m.focus == "" {
		return cardView{status: cardNoCall}
	}
	c := m.contacts[m.focus]
	if c == nil {
		return cardView{status: cardNoCRM}
	}
	v := cardView{err: c.err}
	switch c.state {
	case crm.StateIdle, crm.StateSearching:
		v.status = cardSearching
	case crm.StateNotFound:
		v.status = cardNotFound
	case crm.StateUnavailable:
		v.status = cardUnavailable
	case crm.StateClosed:
		v.status = cardClosed
	case crm.StateChoosing:
		v.status, v.matches = cardChoosing, c.matches
	case crm.StateFound:
		v.status, v.card = cardFound, c.card
		if c.card == nil {
			v.status = cardSearching
		}
	}
	if v.status == cardFound && m.reveal != nil && m.reveal.callID == m.focus {
		v.reveal = m.reveal
	}
	return v
}

// focusedCard is the focused call's card, if one is found.
func (m *crmCards) focusedCard() *crm.Card {
	if v := m.view(); v.status == cardFound {
		return v.card
	}
	return nil
}

// setReveal shows a field's plain value until until, if the call is still
// in focus; it reports whether it did.
func (m *crmCards) setReveal(callID, key, value string, until time.Time) bool {
	if callID != m.focus {
		return false // the call changed meanwhile: do not show it
	}
	m.dropReveal()
	m.reveal = &revealed{callID: callID, key: key, value: value, until: until}
	return true
}

// expire drops the revealed value once its time is up; it reports whether
// it did. left is the time still to go otherwise.
func (m *crmCards) expire(now time.Time) (dropped bool, left time.Duration) {
	if m.reveal == nil {
		return false, 0
	}
	left = m.reveal.until.Sub(now)
	if left <= 0 {
		m.dropReveal()
		return true, 0
	}
	return false, left
}

// dropReveal forgets the plain value.
func (m *crmCards) dropReveal() {
	if m.reveal != nil {
		m.reveal.value = ""
		m.reveal = nil
	}
}

// closeWrapUp forgets the wrap-up offer.
func (m *crmCards) closeWrapUp() { m.wrapID = "" }
