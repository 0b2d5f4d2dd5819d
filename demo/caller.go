package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"
)

// CallError is the agent's final non-2xx answer to a scripted call.
type CallError struct {
	Code   int
	Reason string
}

// Error says how the agent answered.
func (e *CallError) Error() string {
	return fmt.Sprintf("the agent answered %d %s", e.Code, e.Reason)
}

// Is makes errors.Is(err, ErrDeclined) true for a CallError.
func (e *CallError) Is(target error) bool { return target == ErrDeclined }

// CallAgent makes demo customer customerIndex (see Customers) call the
// registered agent over the agent's own TLS flow, with an SRTP (SDES) offer.
//
// It returns once the call is answered (nil), declined (*CallError),
// unanswered after RingTimeout (ErrNoAnswer), or cancelled because ctx ended
// first (a CANCEL is sent; ctx's error is returned). An answered call goes on
// in the background: the customer "talks" (a voice-like tone sequence) until
// the agent hangs up, CallerTimeout passes, or the PBX is closed. Hold
// re-INVITEs from the agent are honoured.
func (p *PBX) CallAgent(ctx context.Context, customerIndex int) error {
	return p.customerCall(ctx, customerIndex, AgentUser, false)
}

// CallAgentNext is CallAgent with the next customer in turn (the "demo
// call" button); it returns the customer who called.
func (p *PBX) CallAgentNext(ctx context.Context) (Customer, error) {
	i := int(p.next.Add(1)-1) % len(p.customers)
	return p.customers[i], p.CallAgent(ctx, i)
}

// customerCall makes customer customerIndex call user. A transferred call
// (transfer) may exceed MaxCallers: the call it replaces is about to end.
func (p *PBX) customerCall(ctx context.Context, customerIndex int, user string, transfer bool) error {
	if customerIndex < 0 || customerIndex >= len(p.customers) {
		return ErrNoSuchCustomer
	}
	cust := p.customers[customerIndex]
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return ErrClosed
	}
	b, ok := p.lookup(user)
	if !ok {
		if user == AgentUser {
			return ErrAgentNotRegistered
		}
		return ErrNotRegistered
	}
	p.mu.Lock()
	switch {
	case p.closed:
		p.mu.Unlock()
		return ErrClosed
	case p.callers >= p.cfg.MaxCallers && !transfer:
		p.mu.Unlock()
		return ErrTooManyCalls
	}
	p.callers++
	p.mu.Unlock()
	handedOver := false
	defer func() {
		if !handedOver {
			p.releaseCaller()
		}
	}()

	st, err := newMedia(p.log, newVoice(customerIndex))
	if err != nil {
		return err
	}
	offer, err := st.offer()
	if err != nil {
		st.close()
		return err
	}
	id, err := uuid.NewRandom()
	if err != nil {
		st.close()
		return err
	}
	c := p.newCall(id.String(), callCustomer)
	c.media, c.customer = st, customerIndex
	req := p.customerInvite(cust, b, user, c.id, offer)
	c.uac = &sipgo.DialogClientSession{Dialog: sipgo.Dialog{InviteRequest: req}, UA: p.dialogUA}
	c.uac.Init()
	if !p.add(c) {
		st.close()
		c.cancel(nil)
		return ErrClosed
	}
	fail := func(err error) error {
		p.remove(c)
		st.close()
		c.cancel(nil)
		c.uac.Close()
		return err
	}

	// The caller's ctx and the ring timeout end the ringing with a CANCEL.
	// Close does not: sipgo would wait for the 487 until the transport is
	// closed, which Close does only after every tracked goroutine returned.
	ringCtx, ringCancel := context.WithCancelCause(context.WithoutCancel(c.ctx))
	defer ringCancel(nil)
	timer := time.AfterFunc(p.cfg.RingTimeout, func() { ringCancel(ErrNoAnswer) })
	defer timer.Stop()
	stopCaller := context.AfterFunc(ctx, func() { ringCancel(context.Canceled) })
	defer stopCaller()
	stopPBX := context.AfterFunc(c.ctx, func() { ringCancel(sipgo.WaitAnswerForceCancelErr) })
	defer stopPBX()

	p.log.Info("demo customer calls", "customer", cust, "user", user)
	if err := c.uac.Invite(ringCtx); err != nil {
		return fail(fmt.Errorf("call the agent: %w", err))
	}
	if err := c.uac.WaitAnswer(ringCtx, sipgo.AnswerOptions{}); err != nil {
		var de *sipgo.ErrDialogResponse
		switch {
		case errors.As(err, &de):
			err = &CallError{Code: de.Res.StatusCode, Reason: de.Res.Reason}
		case ctx.Err() != nil:
			err = ctx.Err()
		case errors.Is(context.Cause(ringCtx), ErrNoAnswer):
			err = ErrNoAnswer
		case p.ctx.Err() != nil:
			err = ErrClosed
		}
		return fail(err)
	}
	if err := st.setAnswer(c.uac.InviteResponse.Body()); err != nil {
		// Confirm the dialog so it can be ended cleanly, then end it.
		_ = c.uac.Ack(c.ctx)
		byeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), byeTimeout)
		_ = c.uac.Bye(byeCtx)
		cancel()
		return fail(fmt.Errorf("agent's answer: %w", err))
	}
	if err := c.uac.Ack(c.ctx); err != nil {
		return fail(fmt.Errorf("acknowledge the agent's answer: %w", err))
	}

	lifetime, cancelLifetime := context.WithTimeoutCause(c.ctx, p.cfg.CallerTimeout, errCallTimeout)
	c.ctx = lifetime // nobody else reads c.ctx before runCall starts
	handedOver = p.goCall(c, func() {
		cancelLifetime()
		p.releaseCaller()
	})
	if !handedOver {
		cancelLifetime()
		c.cancel(ErrClosed)
		p.runCall(c) // hangs up
		st.close()
		return ErrClosed
	}
	return nil
}

// customerInvite builds the INVITE of a scripted customer to the agent's binding.
func (p *PBX) customerInvite(cust Customer, b binding, user, callID string, offer []byte) *sip.Request {
	req := sip.NewRequest(sip.INVITE, *b.contact.Clone())
	req.SetTransport("TLS")
	req.SetDestination(b.source) // the agent's registered flow, not its Contact
	from := &sip.FromHeader{
		DisplayName: cust.Name,
		Address:     sip.Uri{Scheme: "sip", User: cust.Number, Host: p.domain},
		Params:      sip.NewParams(),
	}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: user, Host: p.domain}, Params: sip.NewParams()})
	cid := sip.CallIDHeader(callID)
	req.AppendHeader(&cid)
	req.AppendHeader(sip.HeaderClone(&p.dialogUA.ContactHDR))
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer)
	return req
}

// goCall starts c's goroutine unless the PBX is closing (false); then()
// runs when the goroutine ends.
func (p *PBX) goCall(c *call, then func()) bool {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return false
	}
	p.calls.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.calls.Done()
		defer then()
		p.runCall(c)
	}()
	return true
}

func (p *PBX) releaseCaller() {
	p.mu.Lock()
	p.callers--
	p.mu.Unlock()
}

// SendDTMF makes every demo customer now in a call key in digits (0-9, *,
// #, A-D) as RFC 4733 telephone-events, e.g. a card number to show the
// automatic recording pause. It returns ErrNoCall when no customer is in a
// call, ErrBadDTMF for other characters, ErrNoDTMF when the agent's answer
// had no telephone-event.
func (p *PBX) SendDTMF(digits string) error {
	p.mu.Lock()
	var streams []media
	for _, c := range p.active {
		if c.kind == callCustomer && c.media != nil {
			streams = append(streams, c.media)
		}
	}
	p.mu.Unlock()
	if len(streams) == 0 {
		return ErrNoCall
	}
	var errs []error
	for _, s := range streams {
		errs = append(errs, s.sendDTMF(digits))
	}
	return errors.Join(errs...)
}
