package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// authCardWidth is the width of the login, enrolment and lock cards.
const authCardWidth = 460

// LoginView asks for profile, password and the TOTP (or recovery) code.
type LoginView struct {
	d *Desktop
	// Root is the screen's content.
	Root fyne.CanvasObject

	Profile  *shortcutEntry
	Password *shortcutEntry
	Code     *shortcutEntry
	Submit   *widget.Button
	// Message shows why login failed (generic, never which factor).
	Message *widget.Label
	// DemoHint explains the demo credentials; nil unless the phone is a demo.
	DemoHint *widget.Label
	Language *widget.Select
}

func newLoginView(d *Desktop) *LoginView {
	v := &LoginView{d: d}
	v.Profile = newShortcutEntry(nil)
	v.Profile.SetPlaceHolder(lang.L("Profile"))
	v.Profile.SetText(d.profile)
	v.Password = newShortcutPasswordEntry(nil)
	v.Password.SetPlaceHolder(lang.L("Password"))
	v.Code = newShortcutEntry(nil)
	v.Code.SetPlaceHolder(lang.L("6-digit code or recovery code"))
	for _, e := range []*shortcutEntry{v.Profile, v.Password, v.Code} {
		e.OnSubmitted = func(string) { v.submit() }
	}
	v.Submit = widget.NewButtonWithIcon(lang.L("Log in"), theme.LoginIcon(), v.submit)
	v.Submit.Importance = widget.HighImportance
	v.Message = widget.NewLabel("")
	v.Message.Wrapping = fyne.TextWrapWord
	v.Message.Importance = widget.DangerImportance
	v.Message.Hide()
	v.Language = languageSelect(d)

	form := widget.NewForm(
		widget.NewFormItem(lang.L("Profile"), v.Profile),
		widget.NewFormItem(lang.L("Password"), v.Password),
		widget.NewFormItem(lang.L("Code"), v.Code),
	)
	body := container.NewVBox(
		authHeader(lang.L("Log in"), lang.L("Password and the code from your authenticator app.")),
		form, v.Message, v.Submit,
	)
	if d.demo != nil {
		v.DemoHint = widget.NewLabel(demoHint(d.demo))
		v.DemoHint.Wrapping = fyne.TextWrapWord
		v.DemoHint.Importance = widget.MediumImportance
		title := widget.NewLabelWithStyle(lang.L("Demo mode"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		body.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.InfoIcon())), nil,
			container.NewVBox(title, v.DemoHint)))
		// The demo's hint carries the current TOTP code: keep it fresh while
		// this view is up (it changes every 30 s).
		hint := v.DemoHint
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-d.ctx.Done():
					return
				case <-t.C:
				}
				text := demoHint(d.demo)
				stop := false
				fyne.DoAndWait(func() {
					if d.Login != v {
						stop = true // the view was replaced
						return
					}
					if hint.Text != text {
						hint.SetText(text)
					}
				})
				if stop {
					return
				}
			}
		}()
	}
	v.Root = authScreen(body, v.Language)
	return v
}

func (v *LoginView) focus() {
	c := v.d.win.Canvas()
	if v.Profile.Text == "" {
		c.Focus(v.Profile)
	} else {
		c.Focus(v.Password)
	}
}

// setMessage shows an error (or, with info, a neutral notice).
func (v *LoginView) setMessage(msg string, info bool) {
	if info {
		v.Message.Importance = widget.SuccessImportance
	} else {
		v.Message.Importance = widget.DangerImportance
	}
	v.Message.SetText(msg)
	v.Message.Show()
}

func (v *LoginView) setBusy(busy bool) {
	if busy {
		v.Submit.Disable()
		v.Submit.SetText(lang.L("Logging in…"))
	} else {
		v.Submit.Enable()
		v.Submit.SetText(lang.L("Log in"))
	}
}

// submit logs in; on first login it starts enrolment.
func (v *LoginView) submit() {
	profile := strings.TrimSpace(v.Profile.Text)
	password := v.Password.Text
	code := strings.ReplaceAll(strings.TrimSpace(v.Code.Text), " ", "")
	if profile == "" || password == "" {
		v.setMessage(lang.L("Enter your profile and password."), false)
		return
	}
	v.d.profile = profile
	v.setBusy(true)
	d := v.d
	d.do(func(ctx context.Context) error {
		return d.phone.Login(ctx, profile, password, code)
	}, func(err error) {
		if d.Login != v {
			return // screen changed meanwhile
		}
		v.setBusy(false)
		switch {
		case err == nil:
			d.loggedIn()
		case errors.Is(err, phone.ErrEnrolmentRequired):
			v.beginEnrolment(profile, password)
		case errors.Is(err, phone.ErrLocked):
			v.Code.SetText("")
			v.setMessage(lang.L("This profile is locked after too many failed attempts. Try again later or ask your supervisor."), false)
		default:
			if !errors.Is(err, phone.ErrLoginRefused) {
				d.log.Warn("login failed", "cause", errorKind(err))
			}
			// One message for every failure: never reveal which factor was wrong.
			v.Code.SetText("")
			v.setMessage(lang.L("Login failed. Check your password and code."), false)
		}
	})
}

func (v *LoginView) beginEnrolment(profile, password string) {
	d := v.d
	var e phone.Enrolment
	v.setBusy(true)
	d.do(func(ctx context.Context) error {
		var err error
		e, err = d.phone.BeginEnrolment(ctx, profile, password)
		return err
	}, func(err error) {
		if d.Login != v {
			return
		}
		v.setBusy(false)
		if err != nil {
			d.log.Warn("begin enrolment failed", "cause", errorKind(err))
			v.setMessage(lang.L("Login failed. Check your password and code."), false)
			return
		}
		d.enrol = &enrolData{profile: profile, password: password, enrolment: e}
		d.showEnrolData()
	})
}

// demoHint tells the agent how to log in to the demo and what to try.
func demoHint(demo Demo) string {
	profile, password, code := demo.DemoLogin()
	return fmt.Sprintf(lang.L("Demo — profile: %s · password: %s · code: %s (changes every 30 s)"), profile, password, code) +
		"\n" + lang.L("Call \"echo\" to hear yourself; the demo-call button makes a synthetic customer call you.")
}
