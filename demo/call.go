package demo

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// callKind says what the PBX does in a call.
type callKind int

const (
	callEcho     callKind = iota // extension echo / *43
	callMusic                    // extension music / *97
	callCustomer                 // a scripted demo customer calling the agent
	callBridge                   // one leg of a call between two registered users
)

// String names the kind for logs.
func (k callKind) String() string {
	switch k {
	case callEcho:
		return "echo"
	case callMusic:
		return "music"
	case callCustomer:
		return "customer"
	case callBridge:
		return "bridge"
	}
	return fmt.Sprintf("callKind(%d)", int(k))
}

// Why a call ended (context causes).
var (
	errRemoteHangup = errors.New("remote hangup")
	errPeerHangup   = errors.New("other leg hung up")
	errCallTimeout  = errors.New("demo call time is up")
	errNoAck        = errors.New("no ACK for 200 OK")
)

// call is one established (or being established) call of the PBX. The
// goroutine running p.runCall owns it; SIP handlers find it by Call-ID and
// only call cancel or the stream's negotiation methods.
type call struct {
	id     string
	kind   callKind
	ctx    context.Context
	cancel context.CancelCauseFunc
	media  media // nil for bridge legs

	// Exactly one of uas and uac is set once the call exists.
	uas *sipgo.DialogServerSession // the PBX answered
	uac *sipgo.DialogClientSession // the PBX called

	peer *call // bridge legs: the other leg (set before either is visible)

	customer int // callCustomer: index into PBX.customers
}

// newCall makes a call whose context ends at Close.
func (p *PBX) newCall(id string, kind callKind) *call {
	ctx, cancel := context.WithCancelCause(p.ctx)
	return &call{id: id, kind: kind, ctx: ctx, cancel: cancel}
}

// add registers c for in-dialog requests; false after Close or on a Call-ID clash.
func (p *PBX) add(cs ...*call) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range cs {
		if _, dup := p.active[c.id]; dup {
			return false
		}
	}
	for _, c := range cs {
		p.active[c.id] = c
	}
	return true
}

func (p *PBX) remove(c *call) {
	p.mu.Lock()
	if p.active[c.id] == c {
		delete(p.active, c.id)
	}
	p.mu.Unlock()
}

func (p *PBX) find(id string) *call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.active[id]
}

// ActiveCalls is the number of calls the PBX takes part in (bridged calls
// count twice, one per leg).
func (p *PBX) ActiveCalls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.active)
}

// runCall moves the call's media until it ends, then hangs up if the end was
// not the remote side's BYE, and forgets the call.
func (p *PBX) runCall(c *call) {
	defer p.remove(c)
	defer c.cancel(nil)
	if c.media != nil {
		c.media.run(c.ctx)
	} else {
		<-c.ctx.Done()
	}
	cause := context.Cause(c.ctx)
	p.log.Info("call ended", "kind", c.kind, "reason", cause)
	if errors.Is(cause, errRemoteHangup) || errors.Is(cause, errNoAck) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), byeTimeout)
	defer cancel()
	var err error
	switch {
	case c.uas != nil:
		err = c.uas.Bye(ctx)
		c.uas.Close()
	case c.uac != nil:
		err = c.uac.Bye(ctx)
	}
	if err != nil {
		p.log.Debug("bye failed", "kind", c.kind, "error", err)
	}
}

// handleInvite routes a new INVITE (or an in-dialog re-INVITE).
func (p *PBX) handleInvite(req *sip.Request, tx sip.ServerTransaction) {
	if _, ok := req.To().Params.Get("tag"); ok {
		p.handleReInvite(req, tx)
		return
	}
	if req.Contact() == nil {
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	}
	var authz string
	if h := req.GetHeader("Proxy-Authorization"); h != nil {
		authz = h.Value()
	}
	user, res := p.auth.verify(authz, req.Method.String(), req.From().Address.User)
	switch res {
	case authOK:
	case authMissing, authStale:
		respond(tx, req, sip.StatusProxyAuthRequired, "Proxy Authentication Required",
			sip.NewHeader("Proxy-Authenticate", p.auth.challenge(res == authStale)))
		return
	case authMalformed:
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	default:
		respond(tx, req, sip.StatusForbidden, "Forbidden")
		return
	}

	target := strings.ToLower(req.Recipient.User)
	p.log.Info("call", "from", user, "to", target)
	switch target {
	case EchoExtension, "*43":
		p.answerMedia(req, tx, callEcho)
	case MusicExtension, "*97":
		p.answerMedia(req, tx, callMusic)
	case BusyExtension:
		respond(tx, req, sip.StatusBusyHere, "Busy Here")
	case RingExtension:
		p.ring(req, tx)
	default:
		if _, known := p.auth.users[target]; !known {
			respond(tx, req, sip.StatusNotFound, "Not Found")
			return
		}
		if target == user {
			respond(tx, req, sip.StatusLoopDetected, "Loop Detected")
			return
		}
		p.bridge(req, tx, target)
	}
}

// answerMedia answers an INVITE itself with an SRTP echo or tone stream.
func (p *PBX) answerMedia(req *sip.Request, tx sip.ServerTransaction, kind callKind) {
	uas, err := p.dialogUA.ReadInvite(req, tx)
	if err != nil {
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	}
	var tone *toneGen // nil: echo
	if kind == callMusic {
		tone = newMusic()
	}
	st, err := newMedia(p.log, tone)
	if err != nil {
		_ = uas.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	}
	answer, err := st.answer(req.Body())
	if err != nil {
		st.close()
		p.log.Info("offer refused", "kind", kind, "error", err)
		_ = uas.Respond(sip.StatusNotAcceptableHere, "Not Acceptable Here", nil,
			sip.NewHeader("Warning", `399 demo "SRTP (SDES) with PCMU or PCMA is required"`))
		return
	}
	c := p.newCall(req.CallID().Value(), kind)
	c.media, c.uas = st, uas
	if !p.add(c) {
		st.close()
		c.cancel(nil)
		_ = uas.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	}
	// RespondSDP returns once the ACK has arrived (handleAck); the peer's
	// first packets wait in the socket buffer meanwhile.
	if err := uas.RespondSDP(answer); err != nil {
		p.log.Info("answer not acknowledged", "kind", kind, "error", err)
		c.cancel(errNoAck)
	}
	if !p.goCall(c, func() {}) {
		c.cancel(ErrClosed)
		p.runCall(c) // hangs up
		st.close()
	}
}

// ring answers 180 and then nothing until the caller cancels (extension
// "ring"); after the ring timeout or at Close it gives up with 480.
func (p *PBX) ring(req *sip.Request, tx sip.ServerTransaction) {
	uas, err := p.dialogUA.ReadInvite(req, tx)
	if err != nil {
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	}
	defer uas.Close()
	if err := uas.Respond(sip.StatusRinging, "Ringing", nil); err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, p.cfg.RingTimeout)
	defer cancel()
	select {
	case <-uas.Context().Done(): // CANCEL: the transaction layer answered 487
	case <-tx.Done():
	case <-ctx.Done():
		_ = uas.Respond(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable", nil)
	}
}

// handleReInvite answers an in-dialog INVITE (hold, resume, re-keying).
func (p *PBX) handleReInvite(req *sip.Request, tx sip.ServerTransaction) {
	c := p.find(req.CallID().Value())
	if c == nil {
		respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	if c.peer != nil {
		p.relayReInvite(c, req, tx)
		return
	}
	if c.media == nil || len(req.Body()) == 0 {
		// An offerless re-INVITE would need our offer in the 200 and the
		// answer in the ACK; the demo does not do that.
		respond(tx, req, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	answer, err := c.media.answer(req.Body())
	if err != nil {
		respond(tx, req, sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	res := sip.NewSDPResponseFromRequest(req, answer)
	res.AppendHeader(sip.HeaderClone(&p.dialogUA.ContactHDR))
	_ = tx.Respond(res)
}

// handleAck confirms a dialog we answered.
func (p *PBX) handleAck(req *sip.Request, tx sip.ServerTransaction) {
	c := p.find(req.CallID().Value())
	if c == nil || c.uas == nil {
		return
	}
	_ = c.uas.ReadAck(req, tx)
}

// handleBye ends a call on the remote side's request.
func (p *PBX) handleBye(req *sip.Request, tx sip.ServerTransaction) {
	c := p.find(req.CallID().Value())
	if c == nil {
		respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	var err error
	switch {
	case c.uas != nil:
		err = c.uas.ReadBye(req, tx)
	case c.uac != nil:
		err = c.uac.ReadBye(req, tx)
	default:
		respond(tx, req, sip.StatusOK, "OK")
	}
	if err != nil {
		p.log.Debug("bye", "error", err)
	}
	c.cancel(errRemoteHangup)
	if c.peer != nil {
		c.peer.cancel(errPeerHangup)
	}
}

// handleInDialog answers INFO and NOTIFY inside a known call with 200.
func (p *PBX) handleInDialog(req *sip.Request, tx sip.ServerTransaction) {
	if p.find(req.CallID().Value()) == nil {
		respond(tx, req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	respond(tx, req, sip.StatusOK, "OK")
}
