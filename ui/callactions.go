package ui

import (
	"context"
	"softphone/phone"
)

// What the agent does with one call: the CallPanel's controls.

func (p *CallPanel) fail(err error) {
	if err == nil {
		p.Message.Hide()
		return
	}
	p.Message.SetText(errorText(err))
	p.Message.Show()
}

func (p *CallPanel) answer() {
	d, id := p.d, p.call.ID
	d.touch()
	p.Answer.Disable()
	d.doLong(func(ctx context.Context) error { return d.phone.Answer(ctx, id) }, func(err error) {
		p.Answer.Enable()
		p.fail(err)
	})
}

func (p *CallPanel) decline() {
	d, id := p.d, p.call.ID
	d.touch()
	d.do(func(context.Context) error { return d.phone.Decline(id) }, p.fail)
}

func (p *CallPanel) hangup() {
	d, id := p.d, p.call.ID
	d.touch()
	d.do(func(context.Context) error { return d.phone.Hangup(id) }, p.fail)
}

func (p *CallPanel) toggleHold() {
	if p.call.State != phone.CallActive && p.call.State != phone.CallHeld {
		return
	}
	d, id, on := p.d, p.call.ID, !p.call.LocalHold
	d.touch()
	d.do(func(ctx context.Context) error { return d.phone.Hold(ctx, id, on) }, p.fail)
}

func (p *CallPanel) toggleMute() {
	if p.call.State != phone.CallActive && p.call.State != phone.CallHeld {
		return
	}
	d, id, on := p.d, p.call.ID, !p.call.Muted
	d.touch()
	d.do(func(context.Context) error { return d.phone.Mute(id, on) }, p.fail)
}

func (p *CallPanel) toggleTransfer() {
	p.d.touch()
	if p.TransferRow.Visible() {
		p.TransferRow.Hide()
		return
	}
	p.TransferRow.Show()
	p.d.win.Canvas().Focus(p.TransferTarget)
}

func (p *CallPanel) transfer() {
	d, id := p.d, p.call.ID
	d.touch()
	target, err := phone.CleanNumber(p.TransferTarget.Text)
	if err != nil {
		p.fail(err)
		return
	}
	p.TransferGo.Disable()
	d.do(func(ctx context.Context) error { return d.phone.Transfer(ctx, id, target) }, func(err error) {
		p.TransferGo.Enable()
		p.fail(err)
		if err == nil {
			p.TransferTarget.SetText("")
			p.TransferRow.Hide()
		}
	})
}

func (p *CallPanel) toggleKeypad() {
	p.d.touch()
	setVisible(p.DTMFPad, !p.DTMFPad.Visible())
}

func (p *CallPanel) sendDTMF(digit string) {
	d, id := p.d, p.call.ID
	d.touch()
	d.do(func(context.Context) error { return d.phone.SendDTMF(id, digit) }, func(err error) {
		p.fail(err)
		if err == nil {
			p.sent = lastRunes(p.sent+digit, 24)
			p.DTMFSent.SetText(p.sent)
		}
	})
}

// addReceived counts a tone from the far end. Received digits are never
// shown: customers key in card and account numbers (PCI DSS).
func (p *CallPanel) addReceived(rune) string {
	p.received = lastRunes(p.received+maskDot, 24)
	return p.received
}

// lastRunes keeps the last n runes of s.
func lastRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[len(r)-n:]
	}
	return string(r)
}
