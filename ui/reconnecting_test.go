package ui

import (
	"testing"

	"softphone/phone"
)

// The call panel says "Reconnecting…" while the phone moves a call to a new
// network address, and "Connected" again once audio is back.
func TestCallPanelShowsReconnecting(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	c := activeCall("c1", "AEAD_AES_128_GCM", clk.t)
	p.emit(phone.CallChanged{Call: c})
	panel := d.Main.Calls.Panels["c1"]
	if got := panel.State.Text; got != "Connected" {
		t.Fatalf("state = %q, want Connected", got)
	}
	c.Link = phone.LinkReconnecting
	p.emit(phone.CallChanged{Call: c})
	if got := panel.State.Text; got != "Reconnecting…" {
		t.Errorf("state while reconnecting = %q", got)
	}
	if !panel.Hangup.Visible() {
		t.Error("hang-up must stay available while reconnecting")
	}
	c.Link = phone.LinkUp
	p.emit(phone.CallChanged{Call: c})
	if got := panel.State.Text; got != "Connected" {
		t.Errorf("state after reconnecting = %q, want Connected", got)
	}
}
