package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The first-login TOTP enrolment screen.

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
