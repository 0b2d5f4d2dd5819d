package ui

import (
	"errors"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// AgentStatePhone is implemented by a phone with agent states (available,
// not ready, after-call work). phone.Agent implements it.
type AgentStatePhone interface {
	SetAgentState(st phone.AgentState, reason string) error
	ExtendACW() error
	SetWrapUp(code string) error
	NotReadyReasons() []string
}

// ShortcutAgentState switches between available and not ready (the first
// reason code), or ends after-call work.
var ShortcutAgentState = &desktop.CustomShortcut{KeyName: fyne.KeyB, Modifier: fyne.KeyModifierShortcutDefault}

// AgentStateBar shows the agent's own state and the time in it, always,
// in the status bar; it changes the state, and in after-call work shows
// the countdown with "extend" (once), "end" and the wrap-up code.
type AgentStateBar struct {
	d  *Desktop
	ap AgentStatePhone
	// Root is the bar's content.
	Root fyne.CanvasObject

	Pill   *pill
	Time   *widget.Label // time in state, or ACW time left
	Choose *widget.Select
	Extend *tipButton
	End    *tipButton
	WrapUp *shortcutEntry
	Error  *widget.Label

	status  phone.AgentStatus
	options map[string]func() error // Choose's entries
}

func newAgentStateBar(d *Desktop, ap AgentStatePhone) *AgentStateBar {
	b := &AgentStateBar{d: d, ap: ap, options: map[string]func() error{}}
	b.Pill = newPill(lang.L("Available"), nil, theme.ColorNameSuccess)
	b.Time = widget.NewLabel("")
	var labels []string
	add := func(label string, f func() error) {
		labels = append(labels, label)
		b.options[label] = f
	}
	add(lang.L("Available"), func() error { return ap.SetAgentState(phone.AgentAvailable, "") })
	for _, r := range ap.NotReadyReasons() {
		add(lang.L("Not ready: {{.Reason}}", map[string]any{"Reason": reasonLabel(r)}), func() error {
			return ap.SetAgentState(phone.AgentNotReady, r)
		})
	}
	add(lang.L("After-call work"), func() error { return ap.SetAgentState(phone.AgentAfterCall, "") })
	b.Choose = widget.NewSelect(labels, nil)
	b.Choose.PlaceHolder = lang.L("Change state")
	b.Choose.OnChanged = func(s string) {
		f := b.options[s]
		if f == nil {
			return // ClearSelected below calls back with ""
		}
		d.touch()
		b.report(f())
		b.Choose.ClearSelected()
	}
	b.Extend = newTipButton(d.tips, lang.L("Extend"), theme.ContentAddIcon(), lang.L("Extend after-call work (once)"), func() {
		b.report(ap.ExtendACW())
	})
	b.End = newTipButton(d.tips, lang.L("Ready"), theme.ConfirmIcon(), tip(lang.L("End after-call work and take calls"), ShortcutAgentState), func() {
		b.endACW()
	})
	b.WrapUp = d.newEntry()
	b.WrapUp.SetPlaceHolder(lang.L("Wrap-up code"))
	b.WrapUp.OnSubmitted = func(code string) { b.report(ap.SetWrapUp(code)) }
	b.Error = widget.NewLabel("")
	b.Error.Importance = widget.DangerImportance
	b.Root = container.NewHBox(container.NewCenter(b.Pill), b.Time, b.Choose, b.Extend, b.End,
		container.New(fixedWidth{140}, b.WrapUp), b.Error)
	b.apply(phone.AgentStatus{State: phone.AgentAvailable, Since: d.opt.now()})
	return b
}

// reasonLabel translates a known reason code ("break" → "Break"/"Pause");
// a code policy added without a translation is shown as it is.
func reasonLabel(code string) string {
	key := "reason:" + code
	if t := lang.L(key); t != key {
		return t
	}
	return code
}

// endACW gives the typed wrap-up code (if any) and returns to available.
func (b *AgentStateBar) endACW() {
	if code := b.WrapUp.Text; code != "" && b.status.WrapUp == "" {
		if err := b.ap.SetWrapUp(code); err != nil {
			b.report(err)
			return
		}
	}
	b.report(b.ap.SetAgentState(phone.AgentAvailable, ""))
}

// report shows an error from the phone in the agent's language.
func (b *AgentStateBar) report(err error) {
	switch {
	case err == nil:
		b.Error.SetText("")
	case errors.Is(err, phone.ErrWrapUpRequired):
		b.Error.SetText(lang.L("Enter a wrap-up code first"))
	case errors.Is(err, phone.ErrACWExtended):
		b.Error.SetText(lang.L("After-call work can be extended only once"))
	default:
		b.Error.SetText(err.Error())
	}
}

// shortcut toggles available ⇄ not ready, or ends after-call work.
func (b *AgentStateBar) shortcut() {
	switch b.status.State {
	case phone.AgentAvailable:
		if rs := b.ap.NotReadyReasons(); len(rs) > 0 {
			b.report(b.ap.SetAgentState(phone.AgentNotReady, rs[0]))
		}
	case phone.AgentAfterCall:
		b.endACW()
	default:
		b.report(b.ap.SetAgentState(phone.AgentAvailable, ""))
	}
}

// apply shows a new state. Fyne thread.
func (b *AgentStateBar) apply(s phone.AgentStatus) {
	b.status = s
	switch s.State {
	case phone.AgentAvailable:
		b.Pill.set(lang.L("Available"), nil, theme.ColorNameSuccess)
	case phone.AgentNotReady:
		b.Pill.set(lang.L("Not ready: {{.Reason}}", map[string]any{"Reason": reasonLabel(s.Reason)}), nil, theme.ColorNameError)
	case phone.AgentAfterCall:
		b.Pill.set(lang.L("After-call work"), nil, theme.ColorNameWarning)
	}
	acw := s.State == phone.AgentAfterCall
	setVisible(b.End, acw)
	setVisible(b.Extend, acw && !s.Extended)
	setVisible(b.WrapUp, acw && s.WrapUpRequired && s.WrapUp == "")
	if !acw {
		b.WrapUp.SetText("")
		b.Error.SetText("")
	}
	b.tick(b.d.opt.now())
	b.Root.Refresh()
}

// tick updates the time in state (or the ACW countdown). Fyne thread.
func (b *AgentStateBar) tick(now time.Time) {
	s := b.status
	if s.State == phone.AgentAfterCall {
		left := s.Remaining(now)
		if left == 0 && s.WrapUpRequired && s.WrapUp == "" {
			b.Time.SetText(lang.L("wrap-up code needed"))
			return
		}
		b.Time.SetText(lang.L("{{.Time}} left", map[string]any{"Time": clock(left)}))
		return
	}
	b.Time.SetText(clock(s.InState(now)))
}

// clock formats a duration as m:ss (h:mm:ss from an hour).
func clock(d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}
