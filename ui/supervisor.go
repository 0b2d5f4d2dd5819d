package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// supervisorText says truthfully what a supervisor did to this agent's
// recording, or that a command was refused.
func supervisorText(e phone.SupervisorActed) string {
	switch {
	case e.Refused != "":
		return lang.L("A supervisor command was refused: {{.Reason}}", map[string]any{"Reason": e.Refused})
	case e.On:
		return lang.L("Recording switched on by supervisor {{.Name}}", map[string]any{"Name": e.Supervisor})
	default:
		return lang.L("Recording switched off by supervisor {{.Name}}", map[string]any{"Name": e.Supervisor})
	}
}

// newSupervisorNote is the status line for supervisor commands (hidden
// until one arrives).
func newSupervisorNote() *widget.Label {
	l := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Importance = widget.WarningImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}

// applySupervisor shows a supervisor command. Fyne thread.
func (m *MainView) applySupervisor(e phone.SupervisorActed) {
	m.Supervisor.SetText(supervisorText(e))
	m.Supervisor.Show()
}
