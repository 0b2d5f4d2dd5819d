package ui

import (
	"context"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/assets"
	"softphone/phone"
)

// Column widths of the main view.
const (
	dialerWidth  = 270
	sidebarWidth = 290
)

// Tab indexes of MainView.Tabs.
const (
	TabPhone = iota
	TabHistory
	TabSettings
)

// MainView is the agent's working view: status bar on top, dialer and
// calls in the middle, the sidebar on the right.
type MainView struct {
	d *Desktop
	// Root is the screen's content.
	Root fyne.CanvasObject

	// RegPill is the coloured registration state; RegDetail the address
	// of record or, when registration failed, the reason.
	RegPill   *pill
	RegDetail *widget.Label
	// Notice is a standing warning (WithNotice); nil when there is none.
	Notice    *widget.Label
	Profile   *widget.Label
	LockBtn   *tipButton
	LogoutBtn *tipButton
	// DemoBtn makes a demo customer call; nil unless the phone is a demo.
	DemoBtn *tipButton
	// AgentState is the agent's own state and time in it; nil unless the
	// phone has agent states (AgentStatePhone).
	AgentState *AgentStateBar
	// Missed lists missed calls with call-back; nil unless the phone keeps
	// them (MissedCallsPhone).
	Missed *MissedView
	// Supervisor says what a supervisor last did to this agent's recording.
	Supervisor *widget.Label
	// Device is the notice of a sound device that changed by itself (device.go).
	Device *widget.Label
	// Colleagues shows watched colleagues (BLF) once any state arrives.
	Colleagues *ColleaguesView
	// Netcheck is the pre-shift network check (netcheck.go); nil unless
	// the phone runs it (NetworkChecker).
	Netcheck *NetcheckView

	Tabs     *container.AppTabs
	Dialer   *DialerView
	Calls    *CallsView
	History  *HistoryView
	Settings *SettingsView
	Sidebar  *Sidebar
	// Review is the supervisors' tab (review.go); nil when the role may not review.
	Review *ReviewView
	// Uploads is the central upload state (review.go); nil without central storage.
	Uploads *widget.Label

	top *fyne.Container // status bar, re-laid out when the pill changes
}

func newMainView(d *Desktop) *MainView {
	m := &MainView{d: d}
	m.RegPill = newPill("", nil, theme.ColorNameButton)
	m.RegDetail = widget.NewLabel("")
	m.RegDetail.Truncation = fyne.TextTruncateEllipsis
	m.Profile = widget.NewLabelWithStyle(d.state.login.Profile, fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	m.LockBtn = newTipButton(d.tips, lang.L("Lock"), assetIcon(assets.IconLock),
		tip(lang.L("Lock the desktop"), ShortcutLock), d.lockNow)
	m.LogoutBtn = newTipButton(d.tips, lang.L("Log out"), theme.LogoutIcon(), lang.L("End the session and log out"), func() {
		if len(d.state.calls) > 0 {
			d.confirm(lang.L("Log out?"), lang.L("A call is still in progress. Logging out ends it."), func(ok bool) {
				if ok {
					d.logout()
				}
			})
			return
		}
		d.logout()
	})

	right := container.NewHBox(container.NewCenter(widget.NewIcon(theme.AccountIcon())), m.Profile)
	if d.demo != nil {
		m.DemoBtn = newTipButton(d.tips, lang.L("Demo call"), theme.MediaPlayIcon(),
			lang.L("Let a demo customer call you"), m.demoCall)
		right.Add(m.DemoBtn)
	}
	right.Add(m.LockBtn)
	right.Add(m.LogoutBtn)
	brand := container.NewHBox(container.New(fixedWidth{32}, widget.NewIcon(assets.AppIcon)), heading(lang.L("Softphone"), 1.2))
	left := container.NewHBox(brand, container.NewCenter(m.RegPill))
	m.top = container.NewBorder(nil, nil, left, right, m.RegDetail)
	top := container.NewVBox(m.top, widget.NewSeparator())
	m.addWorkdayRows(top)
	m.Device = newDeviceNote()
	top.Add(m.Device)
	if d.opt.notice != "" {
		// A standing condition the agent must know (no sound card, …).
		m.Notice = widget.NewLabelWithStyle("⚠ "+lang.L(d.opt.notice), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		m.Notice.Importance = widget.WarningImportance
		m.Notice.Wrapping = fyne.TextWrapWord
		top.Add(m.Notice)
		top.Add(widget.NewSeparator())
	}

	m.Dialer = newDialerView(d)
	m.Calls = newCallsView(d)
	m.History = newHistoryView(d)
	m.Settings = newSettingsView(d)
	m.Sidebar = newSidebar(d)

	dialCol := m.dialerColumn()
	phoneTab := container.NewBorder(nil, nil,
		container.NewHBox(container.New(fixedWidth{dialerWidth}, dialCol), widget.NewSeparator()),
		nil, m.Calls.Root)
	m.Tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Phone"), assetIcon(assets.IconCall), phoneTab),
		container.NewTabItemWithIcon(lang.L("History"), theme.HistoryIcon(), m.History.Root),
		container.NewTabItemWithIcon(lang.L("Settings"), theme.SettingsIcon(), m.Settings.Root),
	)
	if rv, ok := d.phone.(Reviewer); ok && rv.CanReview() {
		m.Review = newReviewView(d, rv)
		m.Tabs.Append(container.NewTabItemWithIcon(lang.L("Review"), theme.MediaPlayIcon(), m.Review.Root))
	}
	if _, ok := d.phone.(UploadStatus); ok {
		m.Uploads = widget.NewLabel("")
		top.Add(m.Uploads)
	}
	m.Tabs.OnSelected = func(t *container.TabItem) {
		d.touch()
		if m.Tabs.SelectedIndex() == TabHistory {
			m.History.refresh()
		}
	}
	side := container.NewHBox(widget.NewSeparator(), container.New(fixedWidth{sidebarWidth}, m.Sidebar.Root))
	m.Root = container.NewBorder(top, nil, nil, side, m.Tabs)
	return m
}

// applyAll shows the whole state (after building the view).
func (m *MainView) applyAll() {
	m.applyRegistration()
	m.applyCalls()
	m.Calls.applyStats(m.d.state.stats)
}

// applyRegistration updates the status pill and its detail text.
func (m *MainView) applyRegistration() {
	r := m.d.state.reg
	switch r.State {
	case phone.RegRegistered:
		m.RegPill.set(lang.L("Registered"), nil, theme.ColorNameSuccess)
		m.RegDetail.Importance = widget.MediumImportance
		m.RegDetail.SetText(r.AOR)
	case phone.RegRegistering:
		m.RegPill.set(lang.L("Connecting…"), nil, theme.ColorNameWarning)
		m.RegDetail.Importance = widget.MediumImportance
		m.RegDetail.SetText(r.AOR)
	case phone.RegFailed:
		m.RegPill.set(lang.L("Not registered"), nil, theme.ColorNameError)
		m.RegDetail.Importance = widget.DangerImportance
		m.RegDetail.SetText(lang.L("{{.Reason}} — retrying", map[string]any{"Reason": capitalize(regCauseText(r))}))
	default:
		m.RegPill.set(lang.L("Offline"), nil, theme.ColorNameButton)
		m.RegDetail.Importance = widget.MediumImportance
		m.RegDetail.SetText("")
	}
	m.top.Refresh()
}

// capitalize upper-cases the first letter (reasons come in lower case).
func capitalize(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// applyCalls shows the live calls.
func (m *MainView) applyCalls() {
	m.Calls.apply(m.d.state.calls, m.d.state.lastEnd)
	// Locking is refused during calls (see Desktop.lockNow).
	if len(m.d.state.calls) > 0 {
		m.LockBtn.Disable()
	} else {
		m.LockBtn.Enable()
	}
	m.Sidebar.setCall(m.d.focusCall())
}

func (m *MainView) tick(now time.Time) {
	m.Calls.tick(now)
	m.History.tick(now)
	if us, ok := m.d.phone.(UploadStatus); ok && m.Uploads != nil {
		if s, on := us.UploadStatus(); on {
			m.Uploads.SetText(uploadText(s))
		}
	}
	if m.AgentState != nil {
		m.AgentState.tick(now)
	}
}

// selectTab shows tab i (ShortcutTabs) and puts the keyboard focus on its
// first control, so that Tab goes on from there; false if there is no such
// tab.
func (m *MainView) selectTab(i int) bool {
	if i < 0 || i >= len(m.Tabs.Items) {
		return false
	}
	if i == TabPhone {
		m.focusDialer()
		return true
	}
	m.Tabs.SelectIndex(i)
	var first fyne.Focusable
	switch i {
	case TabHistory:
		first = m.History.focusTarget()
	case TabSettings:
		first = m.Settings.focusTarget()
	default: // Review: only there when m.Review is
		first = m.Review.Agent
	}
	m.d.win.Canvas().Focus(first)
	return true
}

// firstEnabled is the first of fs that is not disabled, or nil.
func firstEnabled(fs ...fyne.Focusable) fyne.Focusable {
	for _, f := range fs {
		if d, ok := f.(fyne.Disableable); ok && d.Disabled() {
			continue
		}
		return f
	}
	return nil
}

// focusDialer shows the phone tab and puts the cursor into the number field.
func (m *MainView) focusDialer() {
	m.Tabs.SelectIndex(TabPhone)
	m.d.win.Canvas().Focus(m.Dialer.Number)
}

func (m *MainView) demoCall() {
	d := m.d
	m.DemoBtn.Disable()
	d.do(func(ctx context.Context) error { return d.demo.DemoCall(ctx) }, func(err error) {
		if d.Main != m {
			return
		}
		m.DemoBtn.Enable()
		if err != nil {
			m.Dialer.setMessage(errorText(err))
		}
	})
}

// DialerView is the number field with keypad.
type DialerView struct {
	d *Desktop
	// Root is the dialer's content.
	Root fyne.CanvasObject

	Number    *shortcutEntry
	Keys      []*padKey
	Call      *tipButton
	Paste     *tipButton
	Backspace *widget.Button
	// Message explains why a number could not be dialled.
	Message *widget.Label
}

var keypadLetters = map[string]string{
	"1": "", "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO",
	"7": "PQRS", "8": "TUV", "9": "WXYZ", "*": "", "0": "+", "#": "",
}

func newDialerView(d *Desktop) *DialerView {
	v := &DialerView{d: d}
	v.Number = newShortcutEntry(d.shortcut)
	v.Number.SetPlaceHolder(lang.L("Number or SIP address"))
	v.Number.OnSubmitted = func(string) { v.dial() }
	v.Number.OnChanged = func(string) {
		d.touch()
		v.Message.Hide()
	}
	v.Number.onPaste = v.paste
	v.Message = widget.NewLabel("")
	v.Message.Importance = widget.DangerImportance
	v.Message.Wrapping = fyne.TextWrapWord
	v.Message.Hide()
	v.Paste = newTipButton(d.tips, "", theme.ContentPasteIcon(), lang.L("Paste a number in any format"), func() {
		v.paste(d.app.Clipboard().Content())
	})
	v.Backspace = widget.NewButtonWithIcon("", theme.ContentClearIcon(), func() {
		t := []rune(v.Number.Text)
		if len(t) > 0 {
			v.Number.SetText(string(t[:len(t)-1]))
		}
	})
	grid := container.NewGridWithColumns(3)
	for _, k := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"} {
		key := newPadKey(k, keypadLetters[k], func(digit string) {
			d.touch()
			v.Number.SetText(v.Number.Text + digit)
		})
		v.Keys = append(v.Keys, key)
		grid.Add(key)
	}
	v.Call = newTipButton(d.tips, lang.L("Call"), assetIcon(assets.IconCall), lang.L("Call the number (Enter)"), v.dial)
	v.Call.Importance = widget.SuccessImportance

	title := widget.NewLabelWithStyle(lang.L("Dial"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	field := container.NewBorder(nil, nil, nil, container.NewHBox(v.Paste, v.Backspace), v.Number)
	hint := widget.NewLabel(tip(lang.L("Focus the number field"), ShortcutDialer))
	hint.Importance = widget.LowImportance
	hint.Wrapping = fyne.TextWrapWord
	v.Root = container.NewPadded(container.NewVBox(title, field, v.Message, grid, v.Call, layout.NewSpacer(), hint))
	return v
}

// paste puts a pasted number into the field in dialable form.
func (v *DialerView) paste(text string) {
	v.d.touch()
	if clean, err := phone.CleanNumber(text); err == nil {
		v.Number.SetText(clean)
	} else {
		v.Number.SetText(text)
		v.setMessage(errorText(err))
	}
	v.Number.CursorColumn = len([]rune(v.Number.Text))
	v.Number.Refresh()
}

func (v *DialerView) setMessage(msg string) {
	v.Message.SetText(msg)
	v.Message.Show()
}

// dial cleans the number and places the call.
func (v *DialerView) dial() {
	d := v.d
	d.touch()
	target, err := phone.CleanNumber(v.Number.Text)
	if err != nil {
		v.setMessage(errorText(err))
		return
	}
	v.Message.Hide()
	v.Call.Disable()
	d.doLong(func(ctx context.Context) error {
		_, err := d.phone.Dial(ctx, target)
		return err
	}, func(err error) {
		if d.Main == nil || d.Main.Dialer != v {
			return
		}
		v.Call.Enable()
		if err != nil {
			v.setMessage(errorText(err))
			return
		}
		v.Number.SetText("")
	})
}
