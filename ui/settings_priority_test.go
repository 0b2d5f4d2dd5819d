package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"softphone/config"
)

// Choosing a device puts it at the head of the role's priority list and keeps the former choice
// as a fallback; the order is shown, and the fallbacks can be forgotten.
func TestSettingsDevicePriority(t *testing.T) {
	base := newFakePhone().loggedIn()
	fp := &fullPhone{fakePhone: base, cfg: config.Default()}
	fp.cfg.Audio.Output = "output A"
	d, _ := newTestDesktop(t, fp)
	s := d.Main.Settings
	o := s.orders[DeviceOutput]
	if o.Order.Text != "Order: output A → System default" || !o.Forget.Disabled() || o.Forget.Visible() {
		t.Fatalf("order %q, forget disabled %v, shown %v", o.Order.Text, o.Forget.Disabled(), o.Forget.Visible())
	}
	s.Output.SetSelected("output B")
	if o.Order.Text != "Order: output B → output A → System default" {
		t.Fatalf("order after choosing B: %q", o.Order.Text)
	}
	if !o.Forget.Visible() || o.Forget.Disabled() {
		t.Fatal("Forget fallbacks is not offered with a fallback in the list")
	}
	test.Tap(s.Save)
	if len(fp.saved) != 1 {
		t.Fatalf("saved %d times", len(fp.saved))
	}
	if got := fp.saved[0].Audio.Priority(config.RoleSpeaker); len(got) != 2 || got[0] != "output B" || got[1] != "output A" {
		t.Fatalf("saved speakers %q", got)
	}
	test.Tap(o.Forget)
	if o.Order.Text != "Order: output B → System default" || !o.Forget.Disabled() || o.Forget.Visible() {
		t.Fatalf("after forget: %q, forget shown %v", o.Order.Text, o.Forget.Visible())
	}
	if in := s.orders[DeviceInput].Order.Text; in != "Order: System default" {
		t.Fatalf("input order %q", in)
	}
}
