package ui

import (
	"context"
	"errors"
	"softphone/phone"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

// Phone requests off the Fyne thread, and how their errors read.

// opTimeout bounds login, enrolment and call-control requests. Dial and
// Answer get the desktop's own context instead: cancelling it would cancel
// the call being set up.
const opTimeout = 30 * time.Second

// do runs a phone request off the Fyne thread and then done on it.
func (d *Desktop) do(req func(ctx context.Context) error, done func(error)) {
	run := func() {
		ctx, cancel := context.WithTimeout(d.ctx, opTimeout)
		defer cancel()
		err := req(ctx)
		if d.ctx.Err() != nil {
			return // closed meanwhile: the window is gone
		}
		if done != nil {
			fyne.Do(func() { done(err) })
		}
	}
	if d.opt.sync {
		run()
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		run()
	}()
}

// doLong is do for requests whose context must live as long as the
// desktop (Dial, Answer: cancelling would cancel the call).
func (d *Desktop) doLong(req func(ctx context.Context) error, done func(error)) {
	run := func() {
		err := req(d.ctx)
		if d.ctx.Err() != nil {
			return
		}
		if done != nil {
			fyne.Do(func() { done(err) })
		}
	}
	if d.opt.sync {
		run()
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		run()
	}()
}

// errorText turns a phone error into text for the agent. Sentinel errors
// of phone carry agent-readable text; anything else is summarised.
func errorText(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, phone.ErrNoSuchCall):
		return lang.L("The call has already ended.")
	case errors.Is(err, phone.ErrNotLoggedIn):
		return lang.L("You are not logged in.")
	case errors.Is(err, context.DeadlineExceeded):
		return lang.L("No answer from the phone service. Try again.")
	case errors.Is(err, phone.ErrEmptyNumber):
		return lang.L("Enter a number to dial.")
	case errors.Is(err, phone.ErrInvalidNumber):
		return lang.L("This is not a phone number.")
	case errors.Is(err, phone.ErrNumberTooLong):
		return lang.L("The number is too long.")
	}
	return lang.L("That did not work: {{.Err}}", map[string]any{"Err": err.Error()})
}
