package ui

import (
	"testing"
	"time"

	"softphone/crm"
	"softphone/phone"
)

func stateEvent(id string, st crm.State, card *crm.Card) phone.ContactChanged {
	return phone.ContactChanged{CallID: id, Event: crm.Event{Kind: crm.EventState, State: st, Card: card}}
}

// TestCRMCardsModel: the card model without a window — contacts by call,
// focus, reveal and re-mask, wrap-up offer.
func TestCRMCardsModel(t *testing.T) {
	m := newCRMCards()
	if v := m.view(); v.status != cardNoCall {
		t.Fatalf("no focus: %v", v.status)
	}
	card := &crm.Card{CustomerID: "C1", Name: "A. Customer", Fields: []crm.CardField{{Key: "iban", Value: "DE•• 3000", Masked: true, Revealable: true}}}

	// Contacts of calls not in focus are kept but do not redraw.
	if m.apply(stateEvent("c1", crm.StateSearching, nil)) {
		t.Error("a call out of focus asks for a redraw")
	}
	m.focusOn("c1")
	if v := m.view(); v.status != cardSearching {
		t.Fatalf("status %v, want searching", v.status)
	}
	if !m.apply(stateEvent("c1", crm.StateFound, card)) || m.view().status != cardFound {
		t.Fatal("found card not shown")
	}
	if !m.apply(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventPayment, PaymentInProgress: true}}) ||
		!m.view().card.PaymentInProgress {
		t.Fatal("payment badge not applied")
	}
	if card.PaymentInProgress {
		t.Fatal("the phone's card was modified")
	}

	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if !m.setReveal("c1", "iban", "DE89 3704 0044 0532 0130 00", now.Add(30*time.Second)) || m.view().reveal == nil {
		t.Fatal("reveal not shown")
	}
	if m.setReveal("c2", "iban", "x", now) {
		t.Fatal("revealed a value of a call not in focus")
	}
	// A re-mask of another field keeps it; of this field drops it.
	m.apply(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventRemasked, Field: "email"}})
	if m.view().reveal == nil {
		t.Fatal("another field's re-mask dropped the value")
	}
	m.apply(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventRemasked, Field: "iban"}})
	if m.reveal != nil {
		t.Fatal("re-mask kept the plain value")
	}
	m.setReveal("c1", "iban", "plain", now.Add(time.Second))
	if dropped, _ := m.expire(now.Add(2 * time.Second)); !dropped || m.reveal != nil {
		t.Fatal("expired value kept")
	}
	m.setReveal("c1", "iban", "plain", now.Add(time.Minute))
	m.focusOn("c2")
	if m.reveal != nil {
		t.Fatal("focus change kept the plain value")
	}
	if m.view().status != cardNoCRM {
		t.Fatalf("a call without contact events: %v, want no CRM", m.view().status)
	}

	// Wrap-up: only for answered calls whose customer was found.
	if _, offered := m.callEnded(phone.CallInfo{ID: "c1", State: phone.CallEnded}); offered {
		t.Fatal("wrap-up offered for an unanswered call")
	}
	m.apply(stateEvent("c3", crm.StateFound, card))
	if _, offered := m.callEnded(phone.CallInfo{ID: "c3", State: phone.CallEnded, Answered: now}); !offered || m.wrapID != "c3" {
		t.Fatal("wrap-up not offered")
	}
	m.closeWrapUp()
	if m.wrapID != "" {
		t.Fatal("wrap-up not closed")
	}
}

// TestCRMCardsBounded: contacts of many calls do not pile up.
func TestCRMCardsBounded(t *testing.T) {
	m := newCRMCards()
	m.focusOn("c0")
	for i := 0; i < 3*maxContacts; i++ {
		m.apply(stateEvent("c"+string(rune('0'+i%10))+string(rune('a'+i/10)), crm.StateNotFound, nil))
	}
	m.apply(stateEvent("c0", crm.StateNotFound, nil))
	if len(m.contacts) > maxContacts {
		t.Fatalf("%d contacts kept", len(m.contacts))
	}
	if m.contacts["c0"] == nil {
		t.Fatal("the focused call's contact was dropped")
	}
}

// TestCRMPanelUpdatesInPlace: a change that keeps the card's shape keeps
// its widgets; a new badge builds them again.
func TestCRMPanelUpdatesInPlace(t *testing.T) {
	p := newFoundPhone()
	d, clk := newTestDesktop(t, p)
	p.emit(phone.CallChanged{Call: activeCall("c1", "AEAD_AES_128_GCM", clk.t)})
	c := crmOf(t, d)
	row := c.Rows["iban"]
	if row == nil {
		t.Fatal("no iban row")
	}
	p.emit(stateEvent("c1", crm.StateFound, p.card))
	if c.Rows["iban"] != row {
		t.Error("the same card built its widgets again")
	}
	p.emit(phone.ContactChanged{CallID: "c1", Event: crm.Event{Kind: crm.EventPayment, PaymentInProgress: true}})
	if c.Payment == nil {
		t.Fatal("payment badge missing")
	}
}
