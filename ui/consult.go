package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"softphone/phone"
)

// ConsultPhone is implemented by a phone that can do attended transfers:
// consult a colleague while the customer waits on hold, then connect them
// or go back. phone.Agent implements it.
type ConsultPhone interface {
	Consult(ctx context.Context, id, target string) (consultID string, err error)
	CompleteTransfer(ctx context.Context, id, consultID string) error
	CancelConsult(ctx context.Context, id, consultID string) error
}

// consultControls are a call panel's attended-transfer controls: "Consult"
// in the transfer row of the customer's call, and on the consult call
// "Connect" (complete the transfer) and "Back to customer".
type consultControls struct {
	p  *CallPanel
	cp ConsultPhone

	Consult  *widget.Button // in the transfer row
	Row      *fyne.Container
	Complete *widget.Button
	Cancel   *widget.Button
}

// newConsultControls returns nil when the phone cannot consult.
func newConsultControls(p *CallPanel) *consultControls {
	cp, ok := p.d.phone.(ConsultPhone)
	if !ok {
		return nil
	}
	k := &consultControls{p: p, cp: cp}
	k.Consult = widget.NewButtonWithIcon(lang.L("Consult"), theme.AccountIcon(), k.consult)
	k.Complete = widget.NewButtonWithIcon(lang.L("Connect caller"), theme.MailForwardIcon(), k.complete)
	k.Complete.Importance = widget.HighImportance
	k.Cancel = widget.NewButtonWithIcon(lang.L("Back to caller"), theme.NavigateBackIcon(), k.cancel)
	k.Row = container.NewGridWithColumns(2, k.Complete, k.Cancel)
	k.Row.Hide()
	return k
}

// update shows the consult row on an established consult call.
func (k *consultControls) update(c phone.CallInfo) {
	media := c.State == phone.CallActive || c.State == phone.CallHeld
	setVisible(k.Row, c.ConsultFor != "" && media)
}

// consult holds this call and calls the number in the transfer field.
func (k *consultControls) consult() {
	p, d := k.p, k.p.d
	d.touch()
	target, err := phone.CleanNumber(p.TransferTarget.Text)
	if err != nil {
		p.fail(err)
		return
	}
	id := p.call.ID
	k.Consult.Disable()
	d.do(func(ctx context.Context) error {
		_, err := k.cp.Consult(ctx, id, target)
		return err
	}, func(err error) {
		k.Consult.Enable()
		p.fail(err)
		if err == nil {
			p.TransferTarget.SetText("")
			p.TransferRow.Hide()
		}
	})
}

func (k *consultControls) complete() {
	c := k.p.call
	k.p.d.touch()
	k.p.d.do(func(ctx context.Context) error { return k.cp.CompleteTransfer(ctx, c.ConsultFor, c.ID) }, k.p.fail)
}

func (k *consultControls) cancel() {
	c := k.p.call
	k.p.d.touch()
	k.p.d.do(func(ctx context.Context) error { return k.cp.CancelConsult(ctx, c.ConsultFor, c.ID) }, k.p.fail)
}
