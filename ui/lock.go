package ui

import (
	"context"
	"errors"
	"softphone/assets"
	"softphone/phone"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The idle-lock screen.

// LockView is the idle-lock screen: password and a fresh code continue.
type LockView struct {
	d *Desktop
	// Root is the screen's content.
	Root fyne.CanvasObject

	Password *shortcutEntry
	Code     *shortcutEntry
	Unlock   *widget.Button
	Logout   *widget.Button
	Message  *widget.Label
	// Calls tells the agent that a call is waiting or in progress.
	Calls *widget.Label
}

func newLockView(d *Desktop) *LockView {
	v := &LockView{d: d}
	v.Password = newShortcutPasswordEntry(nil)
	v.Password.SetPlaceHolder(lang.L("Password"))
	v.Code = newShortcutEntry(nil)
	v.Code.SetPlaceHolder(lang.L("6-digit code"))
	v.Password.OnSubmitted = func(string) { v.submit() }
	v.Code.OnSubmitted = func(string) { v.submit() }
	v.Unlock = widget.NewButtonWithIcon(lang.L("Unlock"), assetIcon(assets.IconLockOpen), v.submit)
	v.Unlock.Importance = widget.HighImportance
	v.Logout = widget.NewButtonWithIcon(lang.L("Log out"), theme.LogoutIcon(), d.logout)
	v.Message = widget.NewLabel("")
	v.Message.Importance = widget.DangerImportance
	v.Message.Wrapping = fyne.TextWrapWord
	v.Message.Hide()
	v.Calls = widget.NewLabel("")
	v.Calls.Importance = widget.WarningImportance
	v.Calls.Wrapping = fyne.TextWrapWord
	v.showCalls(d.state.calls)

	who := d.state.login.Profile
	sub := lang.L("The desktop was locked. Enter your password and a new code to continue.")
	if who != "" {
		sub = lang.L("Locked for {{.Profile}}. Enter your password and a new code to continue.", map[string]any{"Profile": who})
	}
	icon := widget.NewIcon(theme.NewPrimaryThemedResource(assets.IconLock.Resource()))
	body := container.NewVBox(
		container.NewCenter(container.NewGridWrap(fyne.NewSize(48, 48), icon)),
		authHeader(lang.L("Locked"), sub),
		v.Calls,
		widget.NewForm(
			widget.NewFormItem(lang.L("Password"), v.Password),
			widget.NewFormItem(lang.L("Code"), v.Code),
		),
		v.Message,
		container.NewGridWithColumns(2, v.Logout, v.Unlock),
	)
	v.Root = authScreen(body, nil)
	return v
}

func (v *LockView) focus() { v.d.win.Canvas().Focus(v.Password) }

func (v *LockView) setMessage(msg string) {
	v.Message.SetText(msg)
	v.Message.Show()
}

// showCalls warns that a call rings (or runs) behind the lock.
func (v *LockView) showCalls(calls []phone.CallInfo) {
	ringing := false
	for _, c := range calls {
		if c.State == phone.CallIncoming {
			ringing = true
		}
	}
	switch {
	case ringing:
		v.Calls.SetText(lang.L("A call is coming in. Unlock to answer."))
		v.Calls.Show()
	case len(calls) > 0:
		v.Calls.SetText(lang.L("A call is in progress."))
		v.Calls.Show()
	default:
		v.Calls.Hide()
	}
}

func (v *LockView) submit() {
	password := v.Password.Text
	code := strings.ReplaceAll(strings.TrimSpace(v.Code.Text), " ", "")
	if password == "" || code == "" {
		v.setMessage(lang.L("Enter your password and a new code."))
		return
	}
	d := v.d
	v.Unlock.Disable()
	d.do(func(ctx context.Context) error {
		return d.phone.Unlock(ctx, password, code)
	}, func(err error) {
		if d.Lock != v {
			return
		}
		v.Unlock.Enable()
		v.Code.SetText("")
		switch {
		case err == nil:
			d.state.login.Locked = false
			d.loggedIn()
		case errors.Is(err, phone.ErrLocked):
			v.setMessage(lang.L("This profile is locked after too many failed attempts. Try again later or ask your supervisor."))
		default:
			v.setMessage(lang.L("Unlock failed. Check your password and code."))
		}
	})
}
