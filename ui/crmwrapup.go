package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// wrapUpForm is the after-call form.
type wrapUpForm struct {
	callID string
	// Code selects one of WrapUpCodes (shown translated).
	Code    *widget.Select
	Notes   *shortcutEntry
	Submit  *widget.Button
	Skip    *widget.Button
	Message *widget.Label
	codes   map[string]string // shown text → code
}

// The wrap-up form is offered (crmCards.callEnded) for an ended call whose
// customer was found: without a customer there is nothing to write back to.

func (p *crmPanel) renderWrapUp() {
	if p.wrapBox == nil {
		return
	}
	defer p.d.refreshSidebar()
	p.wrapBox.RemoveAll()
	if p.model.wrapID == "" {
		p.Wrap = nil
		return
	}
	old := p.Wrap
	f := &wrapUpForm{callID: p.model.wrapID, codes: map[string]string{}}
	var shown []string
	for _, c := range WrapUpCodes {
		t := wrapUpCodeText(c)
		f.codes[t] = c
		shown = append(shown, t)
	}
	f.Code = widget.NewSelect(shown, nil)
	f.Code.PlaceHolder = lang.L("Outcome")
	f.Notes = p.d.newMultiLineEntry()
	f.Notes.SetPlaceHolder(lang.L("Notes for the customer record"))
	f.Notes.Wrapping = fyne.TextWrapWord
	f.Message = widget.NewLabel("")
	f.Message.Wrapping = fyne.TextWrapWord
	f.Message.Hide()
	f.Submit = widget.NewButton(lang.L("Save wrap-up"), func() { p.submitWrapUp(f) })
	f.Submit.Importance = widget.HighImportance
	f.Submit.Disable()
	f.Skip = widget.NewButton(lang.L("Skip"), p.closeWrapUp)
	f.Code.OnChanged = func(string) { f.Submit.Enable() }
	if old != nil && old.callID == f.callID {
		// A language switch keeps what was typed.
		if c, ok := old.codes[old.Code.Selected]; ok {
			f.Code.SetSelected(wrapUpCodeText(c))
		}
		f.Notes.SetText(old.Notes.Text)
	}
	p.Wrap = f
	title := widget.NewLabelWithStyle(lang.L("Wrap-up of the last call"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord // the sidebar's width is fixed; German runs long
	p.wrapBox.Add(widget.NewSeparator())
	p.wrapBox.Add(title)
	p.wrapBox.Add(f.Code)
	p.wrapBox.Add(f.Notes)
	p.wrapBox.Add(f.Message)
	p.wrapBox.Add(container.NewHBox(layout.NewSpacer(), f.Skip, f.Submit))
}

// wrapUpCodeText is how a wrap-up code is shown.
func wrapUpCodeText(code string) string {
	switch code {
	case "resolved":
		return lang.L("Resolved")
	case "callback":
		return lang.L("Call back")
	case "escalated":
		return lang.L("Escalated")
	case "no action":
		return lang.L("No action")
	}
	return code
}

func (p *crmPanel) submitWrapUp(f *wrapUpForm) {
	code, ok := f.codes[f.Code.Selected]
	if !ok {
		return
	}
	notes := f.Notes.Text
	f.Submit.Disable()
	f.Message.Importance = widget.LowImportance
	f.Message.SetText(lang.L("Saving…"))
	f.Message.Show()
	p.d.do(func(ctx context.Context) error { return p.phone.WrapUp(ctx, f.callID, code, notes) }, func(err error) {
		if p.Wrap != f {
			return
		}
		if err != nil {
			p.log.Warn("wrap-up", "err", err)
			f.Message.Importance = widget.DangerImportance
			f.Message.SetText(lang.L("The wrap-up was not saved: {{.Err}} You can try again or skip it.",
				map[string]any{"Err": panelErrorText(err)}))
			f.Submit.Enable()
			return
		}
		f.Message.Importance = widget.SuccessImportance
		f.Message.SetText(lang.L("Wrap-up saved."))
		f.Code.Disable()
		f.Notes.Disable()
		f.Skip.SetText(lang.L("Close"))
	})
}

func (p *crmPanel) closeWrapUp() {
	p.model.closeWrapUp()
	p.Wrap = nil
	p.renderWrapUp()
}
