package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/assets"
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
		v.DemoHint = widget.NewLabel(d.demo.DemoHint())
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
				text := d.demo.DemoHint()
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

// EnrolView is the first-login enrolment: scan the QR code (or type the
// secret), confirm with a code, then store the recovery codes.
type EnrolView struct {
	d    *Desktop
	data *enrolData
	// Root is the screen's content.
	Root fyne.CanvasObject

	// Step 1: secret.
	QR      *canvas.Image
	Secret  *widget.Label
	Code    *shortcutEntry
	Confirm *widget.Button
	Cancel  *widget.Button
	Message *widget.Label

	// Step 2: recovery codes (hidden until enrolment completes).
	Codes    *widget.Label
	CopyAll  *widget.Button
	Saved    *widget.Check
	Continue *widget.Button

	step1, step2 *fyne.Container
}

func newEnrolView(d *Desktop, data *enrolData) *EnrolView {
	v := &EnrolView{d: d, data: data}
	e := data.enrolment
	v.QR = canvas.NewImageFromResource(fyne.NewStaticResource("enrol-qr.png", e.QRPNG))
	v.QR.FillMode = canvas.ImageFillContain
	v.QR.ScaleMode = canvas.ImageScalePixels // keep QR modules sharp
	v.QR.SetMinSize(fyne.NewSize(200, 200))
	v.Secret = widget.NewLabel(groupSecret(e.Secret))
	v.Secret.TextStyle.Monospace = true
	v.Secret.Selectable = true
	v.Secret.Alignment = fyne.TextAlignCenter
	v.Code = newShortcutEntry(nil)
	v.Code.SetPlaceHolder(lang.L("6-digit code"))
	v.Code.OnSubmitted = func(string) { v.confirm() }
	v.Confirm = widget.NewButtonWithIcon(lang.L("Confirm"), theme.ConfirmIcon(), v.confirm)
	v.Confirm.Importance = widget.HighImportance
	v.Cancel = widget.NewButton(lang.L("Cancel"), func() {
		d.enrol = nil
		d.showLogin("", false)
	})
	v.Message = widget.NewLabel("")
	v.Message.Importance = widget.DangerImportance
	v.Message.Wrapping = fyne.TextWrapWord
	v.Message.Hide()

	steps := widget.NewLabel(lang.L("1. Open your authenticator app and scan the code, or type the secret below.\n2. Enter the 6-digit code the app shows."))
	steps.Wrapping = fyne.TextWrapWord
	v.step1 = container.NewVBox(
		authHeader(lang.L("Set up two-factor login"), lang.L("This is your first login with this profile.")),
		steps,
		container.NewCenter(v.QR),
		v.Secret,
		widget.NewForm(widget.NewFormItem(lang.L("Code"), v.Code)),
		v.Message,
		container.NewGridWithColumns(2, v.Cancel, v.Confirm),
	)

	v.Codes = widget.NewLabel("")
	v.Codes.TextStyle.Monospace = true
	v.Codes.Selectable = true
	v.Codes.Alignment = fyne.TextAlignCenter
	v.CopyAll = widget.NewButtonWithIcon(lang.L("Copy codes"), theme.ContentCopyIcon(), func() {
		d.app.Clipboard().SetContent(strings.Join(v.data.codes, "\n"))
	})
	v.Continue = widget.NewButtonWithIcon(lang.L("Continue"), theme.NavigateNextIcon(), v.finish)
	v.Continue.Importance = widget.HighImportance
	v.Continue.Disable()
	v.Saved = widget.NewCheck(lang.L("I have stored these codes in a safe place"), func(on bool) {
		if on {
			v.Continue.Enable()
		} else {
			v.Continue.Disable()
		}
	})
	warn := widget.NewLabel(lang.L("Each recovery code works once, instead of a code from the app. They are shown only now."))
	warn.Wrapping = fyne.TextWrapWord
	warn.Importance = widget.WarningImportance
	v.step2 = container.NewVBox(
		authHeader(lang.L("Recovery codes"), lang.L("Two-factor login is set up.")),
		warn, v.Codes, v.CopyAll, v.Saved, v.Continue,
	)
	if data.codes != nil {
		v.showCodes()
	} else {
		v.step2.Hide()
	}
	v.Root = authScreen(container.NewStack(v.step1, v.step2), languageSelect(d))
	return v
}

func (v *EnrolView) focus() {
	if v.step1.Visible() {
		v.d.win.Canvas().Focus(v.Code)
	}
}

func (v *EnrolView) confirm() {
	code := strings.ReplaceAll(strings.TrimSpace(v.Code.Text), " ", "")
	if code == "" {
		v.Message.SetText(lang.L("Enter the 6-digit code from your authenticator app."))
		v.Message.Show()
		return
	}
	d := v.d
	data := v.data
	var codes []string
	v.Confirm.Disable()
	d.do(func(ctx context.Context) error {
		var err error
		codes, err = d.phone.CompleteEnrolment(ctx, data.profile, data.password, code)
		return err
	}, func(err error) {
		if d.Enrol != v {
			return
		}
		v.Confirm.Enable()
		if err != nil {
			d.log.Warn("complete enrolment failed", "cause", errorKind(err))
			v.Code.SetText("")
			v.Message.SetText(lang.L("The code was not accepted. Wait for the next code and try again."))
			v.Message.Show()
			return
		}
		data.codes = codes
		data.password = "" // not needed any more
		v.showCodes()
	})
}

func (v *EnrolView) showCodes() {
	v.Codes.SetText(formatCodes(v.data.codes))
	v.step1.Hide()
	v.step2.Show()
}

// finish leaves enrolment: straight into the desktop if the phone logged
// us in, else back to login for a fresh code (a code is accepted once).
func (v *EnrolView) finish() {
	d := v.d
	d.enrol = nil
	if d.phone.Snapshot().Login.LoggedIn {
		d.loggedIn()
		return
	}
	d.showLogin(lang.L("Two-factor login is set up. Log in with your password and a new code."), true)
}

// errorKind names an authentication error for the log without its text:
// error texts from lower layers may carry the profile name.
func errorKind(err error) string {
	switch {
	case err == nil:
		return "none"
	case errors.Is(err, phone.ErrLoginRefused):
		return "refused"
	case errors.Is(err, phone.ErrLocked):
		return "locked"
	case errors.Is(err, phone.ErrEnrolmentRequired):
		return "enrolment required"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timeout"
	}
	return "other"
}

// formatCodes lays recovery codes out in two columns.
func formatCodes(codes []string) string {
	var b strings.Builder
	for i, c := range codes {
		b.WriteString(c)
		if i%2 == 0 && i+1 < len(codes) {
			b.WriteString("    ")
		} else if i+1 < len(codes) {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// groupSecret splits a base32 secret into groups of four for reading.
func groupSecret(s string) string {
	var parts []string
	for len(s) > 4 {
		parts = append(parts, s[:4])
		s = s[4:]
	}
	if s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

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

// authHeader is the title block of the login-type screens.
func authHeader(title, subtitle string) fyne.CanvasObject {
	sub := widget.NewLabel(subtitle)
	sub.Wrapping = fyne.TextWrapWord
	return container.NewVBox(heading(title, 1.6), sub)
}

// authScreen centres a fixed-width card on a calm background, with the
// product name above and an optional language selector in the corner.
func authScreen(body fyne.CanvasObject, sel *widget.Select) fyne.CanvasObject {
	icon := widget.NewIcon(assets.AppIcon)
	brand := container.NewHBox(container.New(fixedWidth{40}, icon), heading("Softphone", 1.3))
	card := widget.NewCard("", "", container.NewPadded(body))
	centre := container.NewCenter(container.New(fixedWidth{authCardWidth},
		container.NewVBox(container.NewCenter(brand), card)))
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameHeaderBackground))
	var top fyne.CanvasObject
	if sel != nil {
		top = container.NewHBox(layout.NewSpacer(), sel)
	}
	return container.NewStack(bg, container.NewBorder(top, nil, nil, nil, container.NewVScroll(centre)))
}

// languageSelect switches the language at once.
func languageSelect(d *Desktop) *widget.Select {
	names := make([]string, len(Languages))
	for i, c := range Languages {
		names[i] = languageName(c)
	}
	s := widget.NewSelect(names, nil)
	s.SetSelected(languageName(d.language))
	s.OnChanged = func(name string) {
		for _, c := range Languages {
			if languageName(c) == name && c != d.language {
				// This replaces the content the select is part of; the
				// detached select only refreshes itself afterwards.
				d.chooseLanguage(c)
				return
			}
		}
	}
	return s
}

// chooseLanguage switches language and stores the choice when possible.
func (d *Desktop) chooseLanguage(code string) {
	if err := d.SetLanguage(code); err != nil {
		d.log.Warn("set language", "err", err)
		return
	}
	if d.settings == nil {
		return
	}
	cfg := d.settings.Settings()
	cfg.UI.Language = code
	d.do(func(ctx context.Context) error { return d.settings.SaveSettings(ctx, cfg) }, func(err error) {
		if err != nil {
			d.log.Warn("save language", "err", err)
		}
	})
}

// confirm asks a yes/no question.
func (d *Desktop) confirm(title, msg string, done func(bool)) {
	dialog.ShowConfirm(title, msg, done, d.win)
}

// assetIcon returns a themed (foreground-coloured) asset icon.
func assetIcon(i assets.Icon) fyne.Resource {
	return theme.NewThemedResource(i.Resource())
}
