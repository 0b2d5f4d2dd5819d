package ui

import (
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"
)

// echoSelect offers the echo-control setting (config audio.echo_cancel): it applies from the
// next call on.
func (v *SettingsView) echoSelect() *widget.Select {
	values := []string{"auto", "on", "off"}
	labels := []string{lang.L("Automatic (off with a headset)"), lang.L("On"), lang.L("Off")}
	s := widget.NewSelect(labels, nil)
	current := v.cfg.Audio.EchoCancel
	if current == "" {
		current = "auto"
	}
	for i, val := range values {
		if val == current {
			s.SetSelected(labels[i])
		}
	}
	s.OnChanged = func(label string) {
		for i, l := range labels {
			if l == label {
				v.cfg.Audio.EchoCancel = values[i]
				v.d.touch()
			}
		}
	}
	return s
}
