package ui

import (
	"testing"

	"softphone/config"
	"softphone/phone"
)

// lockedPhone is a settings store whose policy locks call security.
type lockedPhone struct{ *fullPhone }

func (lockedPhone) LockedKeys() []string { return []string{"media.allow_plain_rtp", "crm.mask.iban"} }

// Even an admin cannot change a setting the machine policy locks, and the
// dialog says why.
func TestSettingsShowLockedByPolicy(t *testing.T) {
	base := newFakePhone().loggedIn()
	base.snap.Login.Role = phone.RoleAdmin
	fp := &fullPhone{fakePhone: base, cfg: config.Default()}
	d, _ := newTestDesktop(t, lockedPhone{fp})
	s := d.Main.Settings
	if !s.AllowPlain.Disabled() {
		t.Error("a policy-locked setting can be changed")
	}
	if !s.Locked.Visible() || s.Locked.Text == "" {
		t.Error("the lock is not shown")
	}

	d2, _ := newTestDesktop(t, &fullPhone{fakePhone: newFakePhone().loggedIn(), cfg: config.Default()})
	if d2.Main.Settings.Locked.Visible() {
		t.Error("lock shown without a policy")
	}
}
