package ui

import (
	"context"
	"log/slog"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// RecordingPhone is what the recording strip needs from the phone.
// phone.Agent implements it; when the desktop's Phone does, the strip is
// built automatically (WithRecordingPanel overrides it). The recorder's
// real state arrives as phone.RecordingChanged (typed; replayed by Watch).
type RecordingPhone interface {
	// RecordPause pauses (on) or resumes the call's recording.
	RecordPause(id string, on bool) error
	// RecordFlag flags the call's recording for review; reason is required.
	RecordFlag(id, reason string) error
	// CustomerOptOut stops recording and deletes what was recorded.
	CustomerOptOut(id string) error
	// Consent records the customer's answer under the "ask" policy.
	Consent(id string, granted bool) error
	// SetRecording switches recording on or off (supervisors only).
	SetRecording(id string, on bool) error
	// CanControlRecording reports whether the role may use SetRecording.
	CanControlRecording() bool
}

// ShortcutRecordPause pauses or resumes the recording of the focused call.
var ShortcutRecordPause = &desktop.CustomShortcut{KeyName: fyne.KeyP, Modifier: fyne.KeyModifierShortcutDefault}

// recPanel is the recording strip: a big pill with what the recorder is
// really doing and the controls. The pill never shows what was merely asked
// for: it changes only when the phone reports a new state. Fyne thread only.
type recPanel struct {
	d     *Desktop
	phone RecordingPhone
	log   *slog.Logger

	callID string
	states map[string]phone.RecordingStatus // by call ID, live calls with a recorder only

	root *fyne.Container
	// Pill is the recorder's state in big letters; Reason says why it is
	// paused or not recording (on its own line: reasons can be long).
	Pill   *pill
	Reason *widget.Label
	// Pause pauses or resumes (ShortcutRecordPause).
	Pause *tipButton
	// Flag flags the recording for review (asks for a reason).
	Flag *tipButton
	// OptOut records that the customer objects (asks to confirm).
	OptOut *tipButton
	// ConsentYes and ConsentNo answer the consent question; shown while the
	// recorder waits for consent.
	ConsentYes *widget.Button
	ConsentNo  *widget.Button
	// Supervisor switches recording on and off; nil unless the role may.
	Supervisor *widget.Check
	// Message shows why a request failed.
	Message *widget.Label
	// FlagDialog is the open flag dialog; nil when none.
	FlagDialog *flagDialog

	syncing bool // setting Supervisor from the state, not from the agent
}

// flagDialog asks for the reason of a flag.
type flagDialog struct {
	Dialog  *dialog.CustomDialog
	Reason  *shortcutEntry
	Confirm *widget.Button
	Message *widget.Label
}

func newRecordingPanel(d *Desktop, p RecordingPhone) *recPanel {
	r := &recPanel{d: d, phone: p, log: d.log.With("panel", "recording"), states: map[string]phone.RecordingStatus{}}
	d.win.Canvas().AddShortcut(ShortcutRecordPause, func(fyne.Shortcut) { r.shortcut() })
	return r
}

// Object builds the strip in the current language.
func (r *recPanel) Object() fyne.CanvasObject {
	r.Pill = newPill("", nil, theme.ColorNameButton)
	r.Pill.Text.TextSize = theme.TextSize() * 1.5
	r.Reason = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.Reason.Wrapping = fyne.TextWrapWord
	r.Pause = newTipButton(r.d.tips, lang.L("Pause"), theme.MediaPauseIcon(),
		tip(lang.L("Pause / resume recording"), ShortcutRecordPause), r.togglePause)
	r.Flag = newTipButton(r.d.tips, lang.L("Flag"), theme.WarningIcon(),
		lang.L("Flag this recording for review"), r.askFlag)
	r.OptOut = newTipButton(r.d.tips, lang.L("Customer opts out"), theme.CancelIcon(),
		lang.L("The customer objects to recording: stop and delete it"), r.askOptOut)
	r.ConsentYes = widget.NewButton(lang.L("Customer consents"), func() { r.consent(true) })
	r.ConsentNo = widget.NewButton(lang.L("Customer declines"), func() { r.consent(false) })
	r.Message = widget.NewLabel("")
	r.Message.Importance = widget.DangerImportance
	r.Message.Wrapping = fyne.TextWrapWord
	r.Message.Hide()
	// No title: the pill says what it is, and the strip must stay short
	// enough that "Customer opts out" is always on screen.
	r.root = container.NewVBox(widget.NewSeparator(),
		r.Pill, r.Reason,
		container.NewGridWithColumns(2, r.Pause, r.Flag),
		r.OptOut,
		container.NewGridWithColumns(2, r.ConsentYes, r.ConsentNo))
	r.Supervisor = nil
	if r.phone.CanControlRecording() {
		r.Supervisor = widget.NewCheck(lang.L("Record this call (supervisor)"), r.supervisorChanged)
		r.root.Add(r.Supervisor)
	}
	r.root.Add(r.Message)
	r.render()
	return r.root
}

// SetCall follows the call in focus; its recorder state came with
// RecordingChanged.
func (r *recPanel) SetCall(c *phone.CallInfo) {
	if c == nil {
		r.callID = ""
	} else {
		if c.ID != r.callID {
			r.setMessage("")
			r.closeFlagDialog()
		}
		r.callID = c.ID
	}
	r.render()
}

// PhoneEvent applies RecordingChanged and forgets ended calls.
func (r *recPanel) PhoneEvent(ev phone.Event) {
	switch e := ev.(type) {
	case phone.RecordingChanged:
		r.states[e.CallID] = e.RecordingStatus
		if e.CallID == r.callID {
			r.render()
		}
	case phone.CallChanged:
		if e.Call.State == phone.CallEnded {
			delete(r.states, e.Call.ID)
		}
	}
}

// current is the focused call's recorder state; ok is false when recording
// is not configured for it (or there is no call).
func (r *recPanel) current() (s phone.RecordingStatus, ok bool) {
	s = r.states[r.callID]
	return s, r.callID != "" && s.State != phone.RecordingNone
}

// render shows the state; the strip is hidden without a recorder.
func (r *recPanel) render() {
	if r.root == nil {
		return
	}
	s, ok := r.current()
	if !ok {
		if r.root.Visible() {
			r.root.Hide()
			r.d.refreshSidebar()
		}
		return
	}
	// The strip's height changes with the reason and buttons shown.
	defer r.d.refreshSidebar()
	r.root.Show()
	reason := recReasonText(s)
	if reason == "" {
		r.Reason.Hide()
	} else {
		r.Reason.SetText("— " + capitalize(reason))
		r.Reason.Show()
	}
	switch s.State {
	case phone.Recording:
		r.Pill.set("● "+lang.L("RECORDING"), nil, theme.ColorNameError)
		r.Pause.SetText(lang.L("Pause"))
		r.Pause.SetIcon(theme.MediaPauseIcon())
		r.Pause.Enable()
	case phone.RecordingPaused:
		r.Pill.set("❚❚ "+lang.L("PAUSED"), nil, theme.ColorNameWarning)
		r.Pause.SetText(lang.L("Resume"))
		r.Pause.SetIcon(theme.MediaRecordIcon())
		r.Pause.Enable()
	default:
		r.Pill.set(lang.L("NOT RECORDING"), nil, theme.ColorNameDisabled)
		r.Pause.SetText(lang.L("Pause"))
		r.Pause.SetIcon(theme.MediaPauseIcon())
		r.Pause.Disable()
	}
	waiting := s.State == phone.NotRecording && s.Cause == phone.CauseAwaitingConsent
	if waiting {
		r.ConsentYes.Show()
		r.ConsentNo.Show()
	} else {
		r.ConsentYes.Hide()
		r.ConsentNo.Hide()
	}
	if r.Supervisor != nil {
		r.syncing = true
		r.Supervisor.SetChecked(s.State != phone.NotRecording)
		r.syncing = false
	}
	r.root.Refresh()
}

// recReasonText says why the recorder pauses or does not record, in the
// agent's language, from the typed status (no recorder text is parsed).
func recReasonText(s phone.RecordingStatus) string {
	if s.State == phone.RecordingPaused {
		var out []string
		for _, p := range []phone.PauseReason{phone.PauseAgent, phone.PausePayment, phone.PauseDTMF} {
			if s.Paused.Has(p) {
				out = append(out, pauseReasonText(p))
			}
		}
		return strings.Join(out, ", ")
	}
	switch s.Cause {
	case phone.CauseNone:
		return ""
	case phone.CauseCannotStart:
		return lang.L("cannot start: {{.Err}}", map[string]any{"Err": s.Detail})
	case phone.CauseFailed:
		return s.Detail // an error the recorder has no words for: shown as it is
	}
	// The causes' own words are the translation keys.
	return lang.L(s.Cause.String())
}

func pauseReasonText(p phone.PauseReason) string {
	switch p {
	case phone.PauseAgent:
		return lang.L("by the agent")
	case phone.PausePayment:
		return lang.L("payment in progress")
	case phone.PauseDTMF:
		return lang.L("customer is keying digits")
	}
	return p.String()
}

func (r *recPanel) setMessage(text string) {
	if r.Message == nil {
		return
	}
	if text == "" {
		r.Message.Hide()
		return
	}
	r.Message.SetText(text)
	r.Message.Show()
}

// request runs a recorder request; the pill waits for the phone's event.
func (r *recPanel) request(what string, fn func(id string) error) {
	id := r.callID
	if id == "" {
		return
	}
	r.d.do(func(context.Context) error { return fn(id) }, func(err error) {
		if err != nil {
			r.log.Warn("recording request", "op", what, "err", err)
			if r.callID == id {
				r.setMessage(panelErrorText(err))
			}
			return
		}
		if r.callID == id {
			r.setMessage("")
		}
	})
}

// togglePause asks for a pause while recording and to resume while paused.
func (r *recPanel) togglePause() {
	s, ok := r.current()
	if !ok || s.State == phone.NotRecording {
		return
	}
	on := s.State == phone.Recording
	r.request("pause", func(id string) error { return r.phone.RecordPause(id, on) })
}

// shortcut handles ShortcutRecordPause on the main screen.
func (r *recPanel) shortcut() {
	if r.d.Main == nil || r.root == nil || !r.root.Visible() {
		return
	}
	r.d.touch()
	r.togglePause()
}

func (r *recPanel) consent(granted bool) {
	r.request("consent", func(id string) error { return r.phone.Consent(id, granted) })
}

func (r *recPanel) supervisorChanged(on bool) {
	if r.syncing {
		return
	}
	// Show the real state again until the recorder reports the change.
	r.render()
	r.request("set", func(id string) error { return r.phone.SetRecording(id, on) })
}

func (r *recPanel) askOptOut() {
	r.d.confirm(lang.L("Customer opts out?"),
		lang.L("Recording stops and what was recorded of this call is deleted."), func(ok bool) {
			if ok {
				r.request("optout", r.phone.CustomerOptOut)
			}
		})
}

func (r *recPanel) closeFlagDialog() {
	if r.FlagDialog != nil {
		r.FlagDialog.Dialog.Hide()
		r.FlagDialog = nil
	}
}

// askFlag asks for the reason and flags the recording.
func (r *recPanel) askFlag() {
	r.closeFlagDialog()
	id := r.callID
	if id == "" {
		return
	}
	fd := &flagDialog{Reason: r.d.newEntry(), Message: widget.NewLabel("")}
	fd.Reason.SetPlaceHolder(lang.L("Reason, e.g. customer complaint"))
	fd.Message.Importance = widget.DangerImportance
	fd.Message.Wrapping = fyne.TextWrapWord
	fd.Message.Hide()
	submit := func() {
		reason := strings.TrimSpace(fd.Reason.Text)
		if reason == "" {
			return
		}
		fd.Confirm.Disable()
		r.d.do(func(context.Context) error { return r.phone.RecordFlag(id, reason) }, func(err error) {
			if err != nil {
				fd.Message.SetText(panelErrorText(err))
				fd.Message.Show()
				fd.Confirm.Enable()
				return
			}
			fd.Dialog.Hide()
		})
	}
	fd.Confirm = widget.NewButtonWithIcon(lang.L("Flag"), theme.WarningIcon(), submit)
	fd.Confirm.Importance = widget.HighImportance
	requireReason(fd.Reason, fd.Confirm, submit)
	cancel := widget.NewButton(lang.L("Cancel"), func() { fd.Dialog.Hide() })
	intro := widget.NewLabel(lang.L("Why should this recording be reviewed?"))
	intro.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(intro, fd.Reason, fd.Message, container.NewHBox(layout.NewSpacer(), cancel, fd.Confirm))
	fd.Dialog = dialog.NewCustomWithoutButtons(lang.L("Flag recording"), container.New(fixedWidth{360}, content), r.d.win)
	fd.Dialog.SetOnClosed(func() {
		if r.FlagDialog == fd {
			r.FlagDialog = nil
		}
	})
	r.FlagDialog = fd
	fd.Dialog.Show()
	r.d.win.Canvas().Focus(fd.Reason)
}
