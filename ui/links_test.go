package ui

import (
	"errors"
	"testing"

	"softphone/phone"
)

// TestOpenLinkWaitsForRegistration: a clicked link is dialled once the
// agent is logged in and registered, not before.
func TestOpenLinkWaitsForRegistration(t *testing.T) {
	p := newFakePhone().loggedIn()
	p.snap.Registration = phone.Registration{State: phone.RegRegistering}
	d, _ := newTestDesktop(t, p)
	d.OpenLink("tel:+49-201-809000")
	if len(p.requests()) != 0 {
		t.Fatalf("dialled before registration: %q", p.requests())
	}
	p.emit(phone.RegistrationChanged{Registration: phone.Registration{State: phone.RegRegistered, AOR: "sip:1001@pbx.test"}})
	if got := lastRequest(p); got != "Dial +49201809000" {
		t.Fatalf("request = %q", got)
	}
}

// TestOpenLinkErrorsReachTheDialer: a link the phone cannot dial, and a
// link that is not a link, are shown on the dialer instead of vanishing.
func TestOpenLinkErrorsReachTheDialer(t *testing.T) {
	p := newFakePhone().loggedIn()
	p.dialErr = errors.New("the far end is busy")
	d, _ := newTestDesktop(t, p)
	v := d.Main.Dialer

	d.OpenLink("sip:support@pbx.test")
	if got := lastRequest(p); got != "Dial sip:support@pbx.test" {
		t.Fatalf("request = %q", got)
	}
	if !v.Message.Visible() || v.Message.Text == "" {
		t.Fatalf("dial error not shown: visible=%v %q", v.Message.Visible(), v.Message.Text)
	}
	if v.Number.Text != "sip:support@pbx.test" {
		t.Errorf("number field = %q; want the link's target to retry", v.Number.Text)
	}

	n := len(p.requests())
	v.Message.Hide()
	d.OpenLink("mailto:someone@example.com")
	if len(p.requests()) != n {
		t.Fatalf("dialled a bad link: %q", p.requests())
	}
	if !v.Message.Visible() || v.Message.Text == "" {
		t.Fatal("bad link not reported on the dialer")
	}
}
