package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// deviceRoleName is the role as the agent reads it.
func deviceRoleName(r phone.DeviceRole) string {
	switch r {
	case phone.RoleSpeaker:
		return lang.L("speaker")
	case phone.RoleRinger:
		return lang.L("ringer")
	default:
		return lang.L("microphone")
	}
}

// deviceName is a device as the agent reads it ("" is the system default).
func deviceName(name string) string {
	if name == "" {
		return lang.L("the system default")
	}
	return "“" + name + "”"
}

// deviceText is the notice for a sound device that changed by itself.
func deviceText(e phone.DeviceChanged) string {
	args := map[string]any{"Role": deviceRoleName(e.Role), "From": deviceName(e.From), "To": deviceName(e.To)}
	if e.Reason == phone.DeviceReturned {
		return lang.L("{{.To}} is back: the {{.Role}} uses it again", args)
	}
	return lang.L("{{.From}} went away: the {{.Role}} continues on {{.To}}", args)
}

// newDeviceNote is the status line for sound device changes (hidden until one arrives).
func newDeviceNote() *widget.Label {
	l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Importance = widget.WarningImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// applyDeviceChange shows a sound device change: a warning while a device is lost, a plain
// note when the preferred device is back. Fyne thread.
func (m *MainView) applyDeviceChange(e phone.DeviceChanged) {
	if m.Device == nil {
		return
	}
	m.Device.SetText(deviceText(e))
	if e.Reason == phone.DeviceReturned {
		m.Device.Importance = widget.MediumImportance
	} else {
		m.Device.Importance = widget.WarningImportance
	}
	m.Device.Show()
	m.Device.Refresh()
}
