package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// SupervisorPhone sends a supervisor's signed recording command for an
// agent's live call (phone.Agent implements it).
type SupervisorPhone interface {
	SuperviseRecording(ctx context.Context, agent string, on bool) error
}

// superviseActions are "Recording off" and "Recording on" for a colleague
// in a call, shown to a supervisor only; nil otherwise. They are buttons,
// so Tab reaches them and Space or Return presses them.
func (v *ColleaguesView) superviseActions(c phone.Colleague) fyne.CanvasObject {
	if v.sp == nil || v.d.state.login.Role != phone.RoleSupervisor || c.Dialog != phone.DialogInCall {
		return nil
	}
	user := c.User
	off := widget.NewButtonWithIcon(lang.L("Recording off"), theme.MediaPauseIcon(), func() { v.supervise(user, false) })
	on := widget.NewButtonWithIcon(lang.L("Recording on"), theme.MediaRecordIcon(), func() { v.supervise(user, true) })
	return container.NewHBox(off, on)
}

// supervise sends the command and shows what came of it.
func (v *ColleaguesView) supervise(user string, on bool) {
	v.d.touch()
	v.d.do(func(ctx context.Context) error {
		return v.sp.SuperviseRecording(ctx, user, on)
	}, func(err error) { v.reportSupervise(user, on, err) })
}

// reportSupervise shows the outcome of a recording command. Fyne thread.
func (v *ColleaguesView) reportSupervise(user string, on bool, err error) {
	switch {
	case err != nil:
		v.Message.Importance = widget.DangerImportance
		v.Message.SetText(lang.L("Recording command for {{.User}} failed: {{.Err}}", map[string]any{"User": user, "Err": errorText(err)}))
	case on:
		v.Message.Importance = widget.SuccessImportance
		v.Message.SetText(lang.L("Recording switched on for {{.User}}", map[string]any{"User": user}))
	default:
		v.Message.Importance = widget.SuccessImportance
		v.Message.SetText(lang.L("Recording switched off for {{.User}}", map[string]any{"User": user}))
	}
	v.Message.Show()
}
