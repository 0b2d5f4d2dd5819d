package phone

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Attended transfer (RFC 5589): consult a colleague while the customer is
// on hold, then connect the two (REFER with Replaces, RFC 3891) or go back
// to the customer.

// consultGrace is how long the consulted party has to replace our leg
// (it then hangs it up itself) before we hang it up.
const consultGrace = 3 * time.Second

// ErrNotConsulting is returned for a consult call that does not belong to
// the customer's call.
var ErrNotConsulting = errors.New("not a consultation of this call")

// Consult puts the call id (the customer) on hold and calls target for a
// consultation. It returns the consult call's ID; CompleteTransfer or
// CancelConsult finish it.
func (a *Agent) Consult(ctx context.Context, id, target string) (string, error) {
	if err := a.Hold(ctx, id, true); err != nil {
		return "", fmt.Errorf("consult: %w", err)
	}
	cid, err := a.Dial(ctx, target)
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	if c, ok := a.calls[cid]; ok {
		c.consultFor = id
		c.info.ConsultFor = id
		a.emitLocked(CallChanged{c.info})
	}
	a.mu.Unlock()
	return cid, nil
}

// consultPair returns the customer's and the consult call, both live.
func (a *Agent) consultPair(id, consultID string) (*call, *call, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, err := a.callLocked(id)
	if err != nil {
		return nil, nil, err
	}
	k, err := a.callLocked(consultID)
	if err != nil {
		return nil, nil, err
	}
	if k.consultFor != id {
		return nil, nil, fmt.Errorf("call %s: %w", consultID, ErrNotConsulting)
	}
	return c, k, nil
}

// CompleteTransfer connects the customer (id) with the consulted party
// (consultID) and ends both of our legs, each with reason "transferred".
func (a *Agent) CompleteTransfer(ctx context.Context, id, consultID string) error {
	c, k, err := a.consultPair(id, consultID)
	if err != nil {
		return err
	}
	a.mu.Lock()
	dlg, kdlg := c.dialog, k.dialog
	a.mu.Unlock()
	if dlg == nil || kdlg == nil {
		return fmt.Errorf("transfer: both calls must be established")
	}
	c.opMu.Lock()
	err = dlg.ReferReplaces(ctx, kdlg)
	c.opMu.Unlock()
	if err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	c.cancel(errTransferred)
	// The consulted party swaps our leg for the customer's and hangs it
	// up; a phone without Replaces support gets a BYE from us instead.
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		t := time.NewTimer(consultGrace)
		defer t.Stop()
		select {
		case <-k.ctx.Done():
		case <-kdlg.Done():
		case <-t.C:
		}
		k.cancel(errTransferred)
	}()
	return nil
}

// CancelConsult hangs up the consultation and resumes the customer.
func (a *Agent) CancelConsult(ctx context.Context, id, consultID string) error {
	_, k, err := a.consultPair(id, consultID)
	if err != nil {
		return err
	}
	k.cancel(errLocalHangup)
	select {
	case <-k.ctx.Done():
	case <-ctx.Done():
		return ctx.Err()
	}
	return a.Hold(ctx, id, false)
}
