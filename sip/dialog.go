package sip

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Reasons a Dialog ends with, as returned by Reason. Failures have other,
// descriptive texts.
const (
	ReasonRemoteHangup = "remote hangup"     // the far end sent BYE
	ReasonLocalHangup  = "local hangup"      // Bye was called
	ReasonClosed       = "user agent closed" // Close ended the call
)

// Dialog is an established call (an INVITE dialog), made by Dial or
// Incoming.Answer. All methods are safe for concurrent use.
type Dialog struct {
	ua *UA
	id string
	// Exactly one of client (we sent the INVITE) and server is set.
	client *sipgo.DialogClientSession
	server *sipgo.DialogServerSession

	// reqMu serialises our in-dialog requests so that CSeq and SDP
	// offer/answer stay in order (RFC 3261 §14.1: one re-INVITE at a time).
	reqMu sync.Mutex
	// reinviting is set while our re-INVITE is outstanding, so that a
	// crossing re-INVITE from the far end gets 491 (RFC 3261 §14.2).
	reinviting atomic.Bool

	mu sync.Mutex
	// Guarded by mu.
	remoteSDP  []byte
	onReInvite func(offer []byte) ([]byte, error)
	onDTMF     func(rune)
	reason     string

	done     chan struct{}
	doneOnce sync.Once
}

func newDialog(u *UA, id string, remoteSDP []byte) *Dialog {
	return &Dialog{ua: u, id: id, remoteSDP: remoteSDP, done: make(chan struct{})}
}

// ID identifies the dialog (Call-ID and tags); stable for its lifetime.
func (d *Dialog) ID() string { return d.id }

// RemoteSDP returns the far end's latest session description.
func (d *Dialog) RemoteSDP() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]byte(nil), d.remoteSDP...)
}

// Done is closed when the dialog has ended, for whatever reason.
func (d *Dialog) Done() <-chan struct{} { return d.done }

// Reason says why the dialog ended: ReasonRemoteHangup,
// ReasonLocalHangup, ReasonClosed, or a description of the failure. Empty
// while the dialog is up.
func (d *Dialog) Reason() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.reason
}

// OnReInvite sets the handler for re-INVITEs from the far end (hold,
// resume, codec change). It gets the offer and returns the answer; an
// error rejects the re-INVITE with 488. Without a handler re-INVITEs are
// answered 488.
func (d *Dialog) OnReInvite(f func(offer []byte) (answer []byte, err error)) {
	d.mu.Lock()
	d.onReInvite = f
	d.mu.Unlock()
}

// OnInfoDTMF sets the callback for DTMF digits received as SIP INFO
// (application/dtmf-relay).
func (d *Dialog) OnInfoDTMF(f func(rune)) {
	d.mu.Lock()
	d.onDTMF = f
	d.mu.Unlock()
}

// end marks the dialog over (once) and forgets it.
func (d *Dialog) end(reason string) {
	d.doneOnce.Do(func() {
		d.mu.Lock()
		d.reason = reason
		d.mu.Unlock()
		d.ua.removeDialog(d)
		close(d.done)
		d.ua.log.Info("call ended", "reason", reason)
	})
}

func (d *Dialog) ended() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// watch ends the dialog when sipgo ends it (e.g. an ACK that never came).
// Started once per dialog; returns when the dialog ends.
func (d *Dialog) watch(ctx context.Context) {
	defer d.ua.wg.Done()
	select {
	case <-d.done:
	case <-ctx.Done():
		reason := ReasonRemoteHangup
		if c := context.Cause(ctx); c != nil && !errors.Is(c, context.Canceled) {
			reason = "dialog failed: " + c.Error()
		}
		d.end(reason)
	}
}

// remoteTarget is where in-dialog requests go (the far end's Contact).
func (d *Dialog) remoteTarget() (sip.Uri, error) {
	var c *sip.ContactHeader
	if d.client != nil {
		if d.client.InviteResponse != nil {
			c = d.client.InviteResponse.Contact()
		}
	} else {
		c = d.server.InviteRequest.Contact()
	}
	if c == nil {
		return sip.Uri{}, errors.New("far end sent no Contact")
	}
	return *c.Address.Clone(), nil
}

// request sends an in-dialog request and waits for its final response,
// answering one digest challenge if the proxy sends one.
func (d *Dialog) request(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	if d.ended() {
		return nil, ErrCallEnded
	}
	req.SetTransport(d.ua.transport)
	// Everything goes through the server (outbound proxy); a Record-Route
	// set, when present, points there too.
	req.SetDestination(d.ua.serverAddr())
	authSent := false
	for {
		d.ua.trace("send", req)
		var (
			tx  sip.ClientTransaction
			err error
		)
		if d.client != nil {
			tx, err = d.client.TransactionRequest(ctx, req)
		} else {
			tx, err = d.server.TransactionRequest(ctx, req)
		}
		if err != nil {
			return nil, classifyTransport(d.ua.serverAddr(), err)
		}
		res, err := waitFinal(ctx, tx)
		tx.Terminate()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, classifyTransport(d.ua.serverAddr(), err)
		}
		d.ua.trace("recv", res)
		if (res.StatusCode == 401 || res.StatusCode == 407) && !authSent {
			hname, cname := "WWW-Authenticate", "Authorization"
			if res.StatusCode == 407 {
				hname, cname = "Proxy-Authenticate", "Proxy-Authorization"
			}
			if h := res.GetHeader(hname); h != nil {
				v, err := authorize(h.Value(), req.Method.String(), req.Recipient.Addr(), d.ua.cfg.AuthUser, d.ua.cfg.Password, "")
				if err != nil {
					return nil, err
				}
				req = req.Clone()
				req.RemoveHeader("Via")
				req.RemoveHeader("CSeq")
				req.RemoveHeader(cname)
				req.AppendHeader(sip.NewHeader(cname, v))
				authSent = true
				continue
			}
		}
		return res, nil
	}
}

// waitFinal waits for the final response of a client transaction.
func waitFinal(ctx context.Context, tx sip.ClientTransaction) (*sip.Response, error) {
	for {
		select {
		case res := <-tx.Responses():
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return nil, err
			}
			return nil, sip.ErrTransactionTimeout
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ReInvite sends a new offer in the dialog (hold, resume) and returns the
// far end's answer. A non-2xx answer is a *StatusError and leaves the call
// as it was (RFC 3261 §14.1).
func (d *Dialog) ReInvite(ctx context.Context, sdp []byte) ([]byte, error) {
	d.reqMu.Lock()
	defer d.reqMu.Unlock()
	d.reinviting.Store(true)
	defer d.reinviting.Store(false)
	target, err := d.remoteTarget()
	if err != nil {
		return nil, err
	}
	req := sip.NewRequest(sip.INVITE, target)
	req.SetBody(sdp)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("User-Agent", d.ua.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	if c, ok := d.ua.currentContact(); ok {
		req.AppendHeader(&c)
	}
	res, err := d.request(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("re-INVITE: %w", err)
	}
	if !res.IsSuccess() {
		if res.StatusCode == 481 || res.StatusCode == 408 {
			// RFC 3261 §14.1: the dialog is gone.
			d.end("call no longer exists on the far end")
		}
		return nil, fmt.Errorf("re-INVITE: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	// ACK the 2xx with the re-INVITE's CSeq (the dialog builder keeps it for ACK).
	ack := sip.NewRequest(sip.ACK, target)
	ack.SetTransport(d.ua.transport)
	ack.SetDestination(d.ua.serverAddr())
	ack.SetBody(nil)
	d.ua.trace("send", ack)
	if d.client != nil {
		err = d.client.WriteRequest(ack)
	} else {
		err = d.server.WriteRequest(ack)
	}
	if err != nil {
		return nil, fmt.Errorf("ACK re-INVITE: %w", classifyTransport(d.ua.serverAddr(), err))
	}
	body := append([]byte(nil), res.Body()...)
	if len(body) > 0 {
		d.mu.Lock()
		d.remoteSDP = body
		d.mu.Unlock()
	}
	return body, nil
}

// SendInfoDTMF sends one DTMF digit (0-9 * # A-D) as SIP INFO with an
// application/dtmf-relay body, for peers that do not take RFC 4733 events.
func (d *Dialog) SendInfoDTMF(digit rune) error {
	body, err := buildDTMFRelay(digit, defaultDTMFDuration)
	if err != nil {
		return err
	}
	d.reqMu.Lock()
	defer d.reqMu.Unlock()
	target, err := d.remoteTarget()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := sip.NewRequest(sip.INFO, target)
	req.SetBody(body)
	req.AppendHeader(sip.NewHeader("Content-Type", dtmfRelayType))
	res, err := d.request(ctx, req)
	if err != nil {
		return fmt.Errorf("INFO DTMF: %w", err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("INFO DTMF: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	return nil
}

// Refer asks the far end to call target instead (blind transfer, RFC
// 3515). It returns once the far end accepted the REFER (202); the caller
// then usually hangs up with Bye. target is a SIP URI or a number in the
// UA's domain.
func (d *Dialog) Refer(ctx context.Context, target string) error {
	to, err := d.ua.targetURI(target)
	if err != nil {
		return err
	}
	return d.refer(ctx, to.String())
}

// refer sends REFER with Refer-To: <referTo> and waits for its acceptance.
func (d *Dialog) refer(ctx context.Context, referTo string) error {
	d.reqMu.Lock()
	defer d.reqMu.Unlock()
	rt, err := d.remoteTarget()
	if err != nil {
		return err
	}
	req := sip.NewRequest(sip.REFER, rt)
	req.AppendHeader(sip.NewHeader("Refer-To", "<"+referTo+">"))
	by := d.ua.aor()
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+by.String()+">"))
	if c, ok := d.ua.currentContact(); ok {
		req.AppendHeader(&c)
	}
	req.SetBody(nil)
	res, err := d.request(ctx, req)
	if err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("transfer: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	d.ua.log.Info("transfer accepted by far end", "target", maskedURI(referTo))
	return nil
}

// Bye hangs up. The dialog ends ("local hangup") even when the far end
// does not answer the BYE.
func (d *Dialog) Bye(ctx context.Context) error {
	if d.ended() {
		return ErrCallEnded
	}
	d.reqMu.Lock()
	defer d.reqMu.Unlock()
	defer d.end(ReasonLocalHangup)
	target, err := d.remoteTarget()
	if err != nil {
		return err
	}
	req := sip.NewRequest(sip.BYE, target)
	req.SetBody(nil)
	res, err := d.request(ctx, req)
	if err != nil {
		return fmt.Errorf("hang up: %w", err)
	}
	if !res.IsSuccess() && res.StatusCode != 481 {
		return fmt.Errorf("hang up: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	return nil
}
