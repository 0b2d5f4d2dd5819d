package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/config"
)

// DeviceOrder shows one role's device priority list (the chosen device first, then the
// fallbacks used when it is unplugged, then the system default) and forgets the fallbacks.
type DeviceOrder struct {
	Order  *widget.Label
	Forget *widget.Button
}

// roleOf maps a device kind of AudioDevices to its role in the configuration.
func roleOf(kind string) string {
	switch kind {
	case DeviceInput:
		return config.RoleMicrophone
	case DeviceOutput:
		return config.RoleSpeaker
	}
	return config.RoleRinger
}

// newDeviceOrder builds the order row of a device kind.
func (v *SettingsView) newDeviceOrder(kind string) *DeviceOrder {
	o := &DeviceOrder{Order: widget.NewLabel("")}
	o.Order.Wrapping = fyne.TextWrapWord
	o.Order.Importance = widget.LowImportance
	o.Forget = widget.NewButtonWithIcon(lang.L("Forget fallbacks"), theme.ContentClearIcon(), func() {
		role := roleOf(kind)
		keep := v.preferred(kind)
		for _, n := range v.cfg.Audio.Priority(role) {
			if n != keep {
				v.cfg.Audio.Remove(role, n)
			}
		}
		v.showOrder(kind)
		v.d.touch()
	})
	if v.orders == nil {
		v.orders = map[string]*DeviceOrder{}
	}
	v.orders[kind] = o
	v.showOrder(kind)
	return o
}

// preferDevice puts the chosen device at the head of its role's list and shows the new order.
func (v *SettingsView) preferDevice(kind, dev string) {
	v.cfg.Audio.Prefer(roleOf(kind), dev)
	v.showOrder(kind)
}

// preferred is the kind's chosen device ("" = system default).
func (v *SettingsView) preferred(kind string) string {
	switch kind {
	case DeviceInput:
		return v.cfg.Audio.Input
	case DeviceOutput:
		return v.cfg.Audio.Output
	}
	return v.cfg.Audio.Ring
}

// showOrder writes a role's order: "Headset → Speakers → System default".
func (v *SettingsView) showOrder(kind string) {
	o := v.orders[kind]
	if o == nil {
		return
	}
	def := lang.L("System default")
	list := v.cfg.Audio.Priority(roleOf(kind))
	names := append(list, def)
	fallbacks := len(list) - 1
	if v.preferred(kind) == "" { // the default is chosen; the list waits behind it
		names = append([]string{def}, list...)
		fallbacks = len(list)
	}
	o.Order.SetText(lang.L("Order: {{.Order}}", map[string]any{"Order": strings.Join(names, " → ")}))
	// Without fallbacks there is nothing to forget: the button goes, and
	// the order gets the row's width (beside a disabled button it wrapped
	// a word per line).
	if fallbacks > 0 {
		o.Forget.Enable()
	} else {
		o.Forget.Disable()
	}
	setVisible(o.Forget, fallbacks > 0)
}

// row lays the order out under its device select.
func (o *DeviceOrder) row(sel fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVBox(sel, container.NewBorder(nil, nil, nil, o.Forget, o.Order))
}
