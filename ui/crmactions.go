package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The CRM card's actions: pick a customer, copy a masked value, reveal a
// field with a reason.

// revealDialog asks for the reason of a reveal.
type revealDialog struct {
	Dialog  *dialog.CustomDialog
	Reason  *shortcutEntry
	Confirm *widget.Button
	Cancel  *widget.Button
	Message *widget.Label
}

func (p *crmPanel) selectContact(customerID string) {
	id := p.model.focus
	p.d.do(func(context.Context) error { return p.phone.SelectContact(id, customerID) }, func(err error) {
		if err != nil {
			p.setMessage(panelErrorText(err), true)
		}
		// The card follows with a ContactChanged event.
	})
}

func (p *crmPanel) copyField(key string) {
	id := p.model.focus
	var masked string
	p.d.do(func(context.Context) error {
		var err error
		masked, err = p.phone.CopyField(id, key)
		return err
	}, func(err error) {
		if err != nil {
			p.setMessage(panelErrorText(err), true)
			return
		}
		p.d.app.Clipboard().SetContent(masked)
		p.setMessage(lang.L("Copied (masked)."), false)
	})
}

// askReveal opens the dialog that asks for the reason of a reveal.
func (p *crmPanel) askReveal(key string) {
	p.closeRevealDialog()
	rd := &revealDialog{Reason: p.d.newEntry(), Message: widget.NewLabel("")}
	rd.Reason.SetPlaceHolder(lang.L("Reason, e.g. customer asks to verify the address"))
	rd.Message.Importance = widget.DangerImportance
	rd.Message.Wrapping = fyne.TextWrapWord
	rd.Message.Hide()
	rd.Confirm = widget.NewButtonWithIcon(lang.L("Reveal"), theme.VisibilityIcon(), func() { p.doReveal(rd, key) })
	rd.Confirm.Importance = widget.HighImportance
	rd.Cancel = widget.NewButton(lang.L("Cancel"), func() { rd.Dialog.Hide() })
	requireReason(rd.Reason, rd.Confirm, func() { p.doReveal(rd, key) })
	label := key
	if card := p.model.focusedCard(); card != nil {
		if f, ok := card.Field(key); ok {
			label = fieldLabel(f)
		}
	}
	intro := widget.NewLabel(lang.L("Why do you need to see the full {{.Field}}? Your reason is written to the audit log.",
		map[string]any{"Field": label}))
	intro.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(intro, rd.Reason, rd.Message,
		container.NewHBox(layout.NewSpacer(), rd.Cancel, rd.Confirm))
	rd.Dialog = dialog.NewCustomWithoutButtons(lang.L("Reveal field"), container.New(fixedWidth{360}, content), p.d.win)
	rd.Dialog.SetOnClosed(func() {
		if p.Reveal == rd {
			p.Reveal = nil
		}
	})
	p.Reveal = rd
	rd.Dialog.Show()
	p.d.win.Canvas().Focus(rd.Reason)
}

func (p *crmPanel) doReveal(rd *revealDialog, key string) {
	reason := strings.TrimSpace(rd.Reason.Text)
	if reason == "" {
		return
	}
	id := p.model.focus
	rd.Confirm.Disable()
	var value string
	p.d.do(func(context.Context) error {
		var err error
		value, err = p.phone.RevealField(id, key, reason)
		return err
	}, func(err error) {
		if err != nil {
			rd.Message.SetText(panelErrorText(err))
			rd.Message.Show()
			rd.Confirm.Enable()
			return
		}
		if !p.model.setReveal(id, key, value, p.d.opt.now().Add(fieldRevealFor)) {
			return // the call changed meanwhile: do not show it
		}
		p.log.Info("field revealed", "field", key) // never the value
		rd.Dialog.Hide()
		p.render()
	})
}
