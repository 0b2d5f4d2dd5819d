package ui

import (
	"context"
	"softphone/phone"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
)

// Screens: which view the window shows, and the moves between them.

// Screen is what the window shows.
type Screen int

// String names the screen for logs.
func (s Screen) String() string {
	switch s {
	case ScreenLogin:
		return "login"
	case ScreenEnrol:
		return "enrol"
	case ScreenLock:
		return "lock"
	case ScreenMain:
		return "main"
	}
	return "unknown"
}

// SetLanguage switches the language and rebuilds the window.
func (d *Desktop) SetLanguage(code string) error {
	if err := setLanguage(code); err != nil {
		return err
	}
	d.language = code
	d.win.SetTitle(lang.L("Softphone"))
	d.rebuild()
	return nil
}

// rebuild recreates the current screen in the current language.
func (d *Desktop) rebuild() {
	switch d.screen {
	case ScreenLogin:
		if d.Login != nil {
			d.profile = d.Login.Profile.Text
		}
		d.showLogin("", false)
	case ScreenEnrol:
		d.showEnrolData()
	case ScreenLock:
		d.showLock("")
	case ScreenMain:
		tab := 0
		if d.Main != nil {
			tab = d.Main.Tabs.SelectedIndex()
		}
		d.showMain()
		d.Main.Tabs.SelectIndex(tab)
	}
}

// setContent puts a screen into the window with the tooltip layer above it.
func (d *Desktop) setContent(s Screen, obj fyne.CanvasObject) {
	d.screen = s
	if s != ScreenLogin {
		d.Login = nil
	}
	if s != ScreenEnrol {
		d.Enrol = nil
	}
	if s != ScreenLock {
		d.Lock = nil
	}
	if s != ScreenMain {
		d.Main = nil
	}
	d.tips.hide()
	d.win.SetContent(container.NewStack(obj, d.tips.root))
}

func (d *Desktop) showLogin(msg string, info bool) {
	d.Login = newLoginView(d)
	d.setContent(ScreenLogin, d.Login.Root)
	if msg != "" {
		d.Login.setMessage(msg, info)
	}
	d.Login.focus()
}

func (d *Desktop) showEnrolData() {
	d.Enrol = newEnrolView(d, d.enrol)
	d.setContent(ScreenEnrol, d.Enrol.Root)
	d.Enrol.focus()
}

func (d *Desktop) showLock(msg string) {
	d.Lock = newLockView(d)
	d.setContent(ScreenLock, d.Lock.Root)
	if msg != "" {
		d.Lock.setMessage(msg)
	}
	d.Lock.focus()
}

func (d *Desktop) showMain() {
	d.touch()
	m := newMainView(d)
	m.applyAll()
	d.setContent(ScreenMain, m.Root)
	d.Main = m
	// Ready to type a number; the call shortcuts still work from here.
	d.win.Canvas().Focus(m.Dialer.Number)
	d.dialPendingLink()
}

// loggedIn moves from login/enrolment to the main view.
func (d *Desktop) loggedIn() {
	d.enrol = nil
	d.applySnapshot(d.phone.Snapshot())
	d.showMain()
	// The pre-shift network check runs once after login, before the first call.
	if d.Main.Netcheck != nil {
		d.Main.Netcheck.run()
	}
}

// lockNow locks the session and shows the lock screen. It never locks
// during a call: the agent must always be able to hang up.
func (d *Desktop) lockNow() {
	if len(d.state.calls) > 0 {
		return
	}
	d.phone.Lock()
	d.state.login.Locked = true
	d.showLock("")
}

// logout ends the session and returns to the login screen.
func (d *Desktop) logout() {
	d.do(func(ctx context.Context) error { return d.phone.Logout(ctx) }, func(err error) {
		if err != nil {
			d.log.Warn("logout", "err", err)
		}
		d.state.login = phone.Login{}
		d.showLogin("", false)
	})
}

// Screens.
const (
	ScreenLogin Screen = iota // password + code
	ScreenEnrol               // first-login TOTP enrolment
	ScreenLock                // idle lock
	ScreenMain                // the agent's working view
)
