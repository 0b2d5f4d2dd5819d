package ui

import (
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
)

// Keyboard shortcuts of the main view. They use the platform's shortcut
// modifier (Ctrl; Cmd on macOS) so they never collide with typing.
var (
	// ShortcutAnswer answers the oldest incoming call.
	ShortcutAnswer = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutHangup ends the current call (or declines a waiting one).
	ShortcutHangup = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutMute toggles the microphone of the current call.
	ShortcutMute = &desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutHold toggles hold of the current call.
	ShortcutHold = &desktop.CustomShortcut{KeyName: fyne.KeyH, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutDialer focuses the number field.
	ShortcutDialer = &desktop.CustomShortcut{KeyName: fyne.KeyD, Modifier: fyne.KeyModifierShortcutDefault}
	// ShortcutLock locks the session.
	ShortcutLock = &desktop.CustomShortcut{KeyName: fyne.KeyL, Modifier: fyne.KeyModifierShortcutDefault}
)

// ShortcutTabs select the main view's tabs by position, as in a browser:
// Ctrl+1 Phone, Ctrl+2 History, Ctrl+3 Settings, Ctrl+4 Review (for those
// who review recordings). Fyne's tab buttons take no keyboard focus, so
// without these History and Settings were out of reach of the keyboard.
var ShortcutTabs = []*desktop.CustomShortcut{
	{KeyName: fyne.Key1, Modifier: fyne.KeyModifierShortcutDefault},
	{KeyName: fyne.Key2, Modifier: fyne.KeyModifierShortcutDefault},
	{KeyName: fyne.Key3, Modifier: fyne.KeyModifierShortcutDefault},
	{KeyName: fyne.Key4, Modifier: fyne.KeyModifierShortcutDefault},
}

// registerShortcuts binds the shortcuts on the window's canvas.
func (d *Desktop) registerShortcuts() {
	c := d.win.Canvas()
	for _, sc := range append([]*desktop.CustomShortcut{ShortcutAnswer, ShortcutHangup, ShortcutMute, ShortcutHold, ShortcutDialer, ShortcutLock, ShortcutAgentState, ShortcutCallBack, ShortcutNetcheck}, ShortcutTabs...) {
		sc := sc
		c.AddShortcut(sc, func(fyne.Shortcut) { d.shortcut(sc) })
	}
}

// shortcut handles one of our shortcuts; it returns false for others (so a
// focused entry can handle them itself).
func (d *Desktop) shortcut(s fyne.Shortcut) bool {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return false
	}
	if d.Main == nil {
		return false
	}
	d.touch()
	m := d.Main
	switch cs.ShortcutName() {
	case ShortcutAnswer.ShortcutName():
		if m.Calls.answerWaiting() && m.Tabs.SelectedIndex() != TabPhone {
			// The call's controls are on the Phone tab: bring it forward,
			// and take the focus out of the tab left behind, or typing
			// would go on into a field nobody sees.
			m.Tabs.SelectIndex(TabPhone)
			d.win.Canvas().Unfocus()
		}
	case ShortcutHangup.ShortcutName():
		m.Calls.hangupCurrent()
	case ShortcutMute.ShortcutName():
		m.Calls.toggleMute()
	case ShortcutHold.ShortcutName():
		m.Calls.toggleHold()
	case ShortcutDialer.ShortcutName():
		m.focusDialer()
	case ShortcutLock.ShortcutName():
		d.lockNow()
	case ShortcutCallBack.ShortcutName():
		if m.Missed == nil {
			return false
		}
		return m.Missed.callBackNewest()
	case ShortcutNetcheck.ShortcutName():
		if m.Netcheck == nil {
			return false
		}
		m.Netcheck.run()
	case ShortcutAgentState.ShortcutName():
		if m.AgentState == nil {
			return false
		}
		m.AgentState.shortcut()
	case ShortcutRecordPause.ShortcutName():
		r, ok := d.opt.recording.(*recPanel)
		if !ok {
			return false
		}
		r.shortcut()
	default:
		for i, tab := range ShortcutTabs {
			if cs.ShortcutName() == tab.ShortcutName() {
				return m.selectTab(i)
			}
		}
		return false
	}
	return true
}

// shortcutLabel renders a shortcut for tooltips: "Ctrl+Enter" ("Strg+Enter"
// in German, "⌘Enter" on macOS).
func shortcutLabel(s *desktop.CustomShortcut) string {
	var mods []string
	if s.Modifier&fyne.KeyModifierControl != 0 {
		mods = append(mods, lang.L("Ctrl"))
	}
	if s.Modifier&fyne.KeyModifierAlt != 0 {
		mods = append(mods, "Alt")
	}
	if s.Modifier&fyne.KeyModifierShift != 0 {
		mods = append(mods, lang.L("Shift"))
	}
	if s.Modifier&fyne.KeyModifierSuper != 0 {
		if runtime.GOOS == "darwin" {
			mods = append(mods, "⌘")
		} else {
			mods = append(mods, "Super")
		}
	}
	key := string(s.KeyName)
	switch s.KeyName {
	case fyne.KeyReturn, fyne.KeyEnter:
		key = lang.L("Enter")
	}
	return strings.Join(append(mods, key), "+")
}

// tip is a tooltip text with the shortcut in brackets.
func tip(text string, s *desktop.CustomShortcut) string {
	if s == nil {
		return text
	}
	return text + " (" + shortcutLabel(s) + ")"
}
