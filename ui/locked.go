package ui

import (
	"slices"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// LockedSettings is implemented by a SettingsStore that knows which
// settings the machine policy or the signed bundle fixes (config keys such
// as "media.allow_plain_rtp"); the dialog shows them as locked.
type LockedSettings interface {
	LockedKeys() []string
}

// lockedKeys returns the locked keys of the settings store, if it says.
func (d *Desktop) lockedKeys() []string {
	if ls, ok := d.settings.(LockedSettings); ok {
		return ls.LockedKeys()
	}
	return nil
}

// applyLocks disables the widgets whose setting the policy fixes and says so.
func (v *SettingsView) applyLocks(locked []string) {
	v.Locked = widget.NewLabel("")
	v.Locked.Hide()
	if slices.Contains(locked, "media.allow_plain_rtp") || slices.Contains(locked, "account.transport") {
		v.AllowPlain.Disable()
		v.Locked.SetText(lang.L("Locked by policy: call security is set by your organisation."))
		v.Locked.Show()
	}
}
