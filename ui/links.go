package ui

import (
	"context"

	"fyne.io/fyne/v2"

	"softphone/internal/urlhandler"
	"softphone/phone"
)

// OpenLink dials a clicked sip:/tel: link (click to call) as soon as the
// agent is logged in and registered; the last link waiting wins. It is safe
// to call from any goroutine. A link that cannot be read or dialled is
// shown on the dialer with the reason, like a typed number's error.
func (d *Desktop) OpenLink(link string) {
	fyne.Do(func() {
		d.pendingLink = link
		d.dialPendingLink()
	})
}

// dialPendingLink dials the waiting link once the main view is up and the
// phone is registered. Fyne thread.
func (d *Desktop) dialPendingLink() {
	if d.pendingLink == "" || d.Main == nil || d.state.reg.State != phone.RegRegistered {
		return
	}
	link := d.pendingLink
	d.pendingLink = ""
	l, err := urlhandler.Parse(link)
	if err != nil {
		d.linkFailed("", err)
		return
	}
	target := l.Target()
	d.log.Info("dialling a clicked link", "link", l)
	d.doLong(func(ctx context.Context) error {
		_, err := d.phone.Dial(ctx, target)
		return err
	}, func(err error) {
		if err != nil {
			d.linkFailed(target, err)
		}
	})
}

// linkFailed shows why a clicked link was not dialled, with its target in
// the dialer so the agent can correct and retry it.
func (d *Desktop) linkFailed(target string, err error) {
	d.log.Warn("click to call failed", "err", err)
	if d.Main == nil {
		return
	}
	v := d.Main.Dialer
	if target != "" {
		v.Number.SetText(target)
	}
	v.setMessage(errorText(err))
}
