package demo

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"
)

// reInviteTimeout bounds a relayed re-INVITE.
const reInviteTimeout = 10 * time.Second

// bridge connects a call from one registered user to another as a
// back-to-back user agent: two dialogs, SDP passed through unchanged, so the
// media (and its SRTP keys, which only travel over TLS) go end to end.
func (p *PBX) bridge(req *sip.Request, tx sip.ServerTransaction, target string) {
	b, ok := p.lookup(target)
	if !ok {
		respond(tx, req, sip.StatusTemporarilyUnavailable, "Temporarily Unavailable")
		return
	}
	uas, err := p.dialogUA.ReadInvite(req, tx)
	if err != nil {
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	}
	id, err := uuid.NewRandom()
	if err != nil {
		_ = uas.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	}
	a, bl := p.newCall(req.CallID().Value(), callBridge), p.newCall(id.String(), callBridge)
	a.uas, a.peer, bl.peer = uas, bl, a

	out := sip.NewRequest(sip.INVITE, *b.contact.Clone())
	out.SetTransport("TLS")
	out.SetDestination(b.source)
	from := &sip.FromHeader{DisplayName: displayName(req.From().DisplayName), Address: *req.From().Address.Clone(), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	out.AppendHeader(from)
	out.AppendHeader(&sip.ToHeader{Address: sip.Uri{Scheme: "sip", User: target, Host: p.domain}, Params: sip.NewParams()})
	cid := sip.CallIDHeader(bl.id)
	out.AppendHeader(&cid)
	out.AppendHeader(sip.HeaderClone(&p.dialogUA.ContactHDR))
	if ct := req.ContentType(); ct != nil {
		out.AppendHeader(sip.HeaderClone(ct))
	}
	out.SetBody(req.Body())
	bl.uac = &sipgo.DialogClientSession{Dialog: sipgo.Dialog{InviteRequest: out}, UA: p.dialogUA}
	bl.uac.Init()

	fail := func(code int, reason string) {
		p.remove(a)
		p.remove(bl)
		a.cancel(nil)
		bl.cancel(nil)
		bl.uac.Close()
		if code != 0 {
			_ = uas.Respond(code, reason, nil)
		}
		uas.Close()
	}
	if !p.add(a, bl) {
		fail(sip.StatusServiceUnavailable, "Service Unavailable")
		return
	}

	// A CANCEL from the caller (or Close) cancels the callee's leg.
	ringCtx, ringCancel := context.WithTimeout(bl.ctx, p.cfg.RingTimeout)
	defer ringCancel()
	stop := context.AfterFunc(uas.Context(), ringCancel)
	defer stop()

	if err := bl.uac.Invite(ringCtx); err != nil {
		fail(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable")
		return
	}
	err = bl.uac.WaitAnswer(ringCtx, sipgo.AnswerOptions{OnResponse: func(res *sip.Response) error {
		if res.StatusCode == sip.StatusRinging || res.StatusCode == sip.StatusSessionInProgress {
			var hdrs []sip.Header
			if ct := res.ContentType(); ct != nil && len(res.Body()) > 0 {
				hdrs = append(hdrs, sip.HeaderClone(ct))
			}
			_ = uas.Respond(res.StatusCode, res.Reason, res.Body(), hdrs...)
		}
		return nil
	}})
	if err != nil {
		var de *sipgo.ErrDialogResponse
		switch {
		case errors.As(err, &de):
			fail(de.Res.StatusCode, de.Res.Reason)
		case uas.Context().Err() != nil:
			fail(0, "") // the caller cancelled: the transaction layer answered 487
		default:
			fail(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable")
		}
		return
	}
	if err := bl.uac.Ack(bl.ctx); err != nil {
		p.log.Debug("bridge ack", "error", err)
	}
	var hdrs []sip.Header
	if ct := bl.uac.InviteResponse.ContentType(); ct != nil {
		hdrs = append(hdrs, sip.HeaderClone(ct))
	}
	if err := uas.Respond(sip.StatusOK, "OK", bl.uac.InviteResponse.Body(), hdrs...); err != nil {
		a.cancel(errNoAck)
	}
	okA := p.goCall(a, func() {})
	okB := p.goCall(bl, func() {})
	if !okA || !okB {
		a.cancel(ErrClosed)
		bl.cancel(ErrClosed)
		if !okA {
			p.runCall(a)
		}
		if !okB {
			p.runCall(bl)
		}
	}
	if a.ctx.Err() != nil {
		bl.cancel(errPeerHangup)
	}
}

// relayReInvite passes a re-INVITE (hold, resume) of one bridge leg to the
// other and its answer back.
func (p *PBX) relayReInvite(c *call, req *sip.Request, tx sip.ServerTransaction) {
	other := c.peer
	ctx, cancel := context.WithTimeout(other.ctx, reInviteTimeout)
	defer cancel()
	var target sip.Uri
	switch {
	case other.uac != nil && other.uac.InviteResponse != nil && other.uac.InviteResponse.Contact() != nil:
		target = other.uac.InviteResponse.Contact().Address
	case other.uas != nil && other.uas.InviteRequest.Contact() != nil:
		target = other.uas.InviteRequest.Contact().Address
	default:
		respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	r := sip.NewRequest(sip.INVITE, *target.Clone())
	if ct := req.ContentType(); ct != nil {
		r.AppendHeader(sip.HeaderClone(ct))
	}
	r.SetBody(req.Body())
	var (
		res *sip.Response
		err error
	)
	if other.uac != nil {
		res, err = other.uac.Do(ctx, r)
	} else {
		res, err = other.uas.Do(ctx, r)
	}
	if err != nil {
		respond(tx, req, sip.StatusRequestTimeout, "Request Timeout")
		return
	}
	if res.IsSuccess() {
		ack := sip.NewRequest(sip.ACK, *target.Clone())
		if other.uac != nil {
			err = other.uac.WriteRequest(ack)
		} else {
			err = other.uas.WriteRequest(ack)
		}
		if err != nil {
			p.log.Debug("bridge re-INVITE ack", "error", err)
		}
	}
	out := sip.NewResponseFromRequest(req, res.StatusCode, res.Reason, res.Body())
	if ct := res.ContentType(); ct != nil && len(res.Body()) > 0 {
		out.AppendHeader(sip.HeaderClone(ct))
	}
	if res.IsSuccess() {
		out.AppendHeader(sip.HeaderClone(&p.dialogUA.ContactHDR))
	}
	_ = tx.Respond(out)
}

// displayName makes a caller's display name safe to write back into a
// quoted-string (sipgo does not escape): no quotes, backslashes or controls.
func displayName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
