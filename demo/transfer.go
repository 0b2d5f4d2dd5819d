package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// notifyTimeout bounds one NOTIFY of a transfer.
const notifyTimeout = 2 * time.Second

// handleRefer takes a blind transfer (RFC 3515) of a demo customer call: the
// customer then calls the Refer-To user, and the progress is reported to the
// transferor with NOTIFY (message/sipfrag). Transfers of other calls, and
// attended transfers (Replaces), are not supported by the demo (501).
func (p *PBX) handleRefer(req *sip.Request, tx sip.ServerTransaction) {
	c := p.find(req.CallID().Value())
	if c == nil {
		respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	if c.kind != callCustomer || c.uac == nil {
		respond(tx, req, sip.StatusNotImplemented, "Not Implemented")
		return
	}
	rt := req.ReferTo()
	if rt == nil || rt.Address.User == "" {
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	}
	uri := rt.Address
	if uri.Headers != nil {
		if _, ok := uri.Headers.Get("Replaces"); ok {
			respond(tx, req, sip.StatusNotImplemented, "Not Implemented")
			return
		}
	}
	target := strings.ToLower(uri.User)
	respond(tx, req, sip.StatusAccepted, "Accepted")
	p.log.Info("transfer", "to", target)
	p.goTracked(func() { p.transfer(c, target) })
}

// transfer makes the customer of c call target and reports the outcome.
func (p *PBX) transfer(c *call, target string) {
	p.notify(c, "SIP/2.0 100 Trying", false)
	code, reason := sip.StatusOK, "OK"
	if _, known := p.auth.users[target]; !known {
		code, reason = sip.StatusNotFound, "Not Found"
	} else if err := p.customerCall(p.ctx, c.customer, target, true); err != nil {
		var ce *CallError
		switch {
		case errors.As(err, &ce):
			code, reason = ce.Code, ce.Reason
		case errors.Is(err, ErrNotRegistered), errors.Is(err, ErrAgentNotRegistered), errors.Is(err, ErrNoAnswer):
			code, reason = sip.StatusTemporarilyUnavailable, "Temporarily Unavailable"
		default:
			code, reason = sip.StatusServiceUnavailable, "Service Unavailable"
		}
	}
	p.notify(c, fmt.Sprintf("SIP/2.0 %d %s", code, reason), true)
}

// notify sends a refer NOTIFY in c's dialog. The transferor may already
// have hung up (it usually does after 202); then the NOTIFY simply fails.
func (p *PBX) notify(c *call, frag string, final bool) {
	res := c.uac.InviteResponse
	if res == nil || res.Contact() == nil {
		return
	}
	req := sip.NewRequest(sip.NOTIFY, *res.Contact().Address.Clone())
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	state := "active;expires=60"
	if final {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(frag + "\r\n"))
	ctx, cancel := context.WithTimeout(context.Background(), notifyTimeout)
	defer cancel()
	if _, err := c.uac.Do(ctx, req); err != nil {
		p.log.Debug("transfer notify", "error", err)
	}
}

// goTracked runs f in a goroutine that Close waits for, unless closing.
func (p *PBX) goTracked(f func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.calls.Go(f)
	return true
}
