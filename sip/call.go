package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// aor is our address of record, sip:user@domain.
func (u *UA) aor() sip.Uri {
	a := sip.Uri{Scheme: "sip", User: u.cfg.User, Host: u.cfg.Domain}
	if h, p, err := net.SplitHostPort(u.cfg.Domain); err == nil {
		a.Host = h
		a.Port, _ = strconv.Atoi(p)
	}
	return a
}

// targetURI checks the request URI of a call or transfer. The caller
// (phone.TargetURI) has already turned what the agent typed into a SIP URI;
// sip only validates it: a sip:/sips: URI with a host, nothing that could
// break out of the request line.
func (u *UA) targetURI(target string) (sip.Uri, error) {
	if target == "" {
		return sip.Uri{}, errors.New("no one to call: the target is empty")
	}
	if strings.ContainsAny(target, " <>\"\r\n\t") {
		return sip.Uri{}, fmt.Errorf("%w: %q", ErrBadTarget, target)
	}
	lower := strings.ToLower(target)
	if !strings.HasPrefix(lower, "sip:") && !strings.HasPrefix(lower, "sips:") {
		return sip.Uri{}, fmt.Errorf("%w: %q is not a sip: or sips: URI", ErrBadTarget, target)
	}
	var uri sip.Uri
	if err := sip.ParseUri(target, &uri); err != nil {
		return sip.Uri{}, fmt.Errorf("%w: %q: %v", ErrBadTarget, target, err)
	}
	if uri.Host == "" {
		return sip.Uri{}, fmt.Errorf("%w: %q has no host", ErrBadTarget, target)
	}
	return uri, nil
}

// Dial calls target, a sip:/sips: URI with a host (phone.TargetURI makes it)
// with the SDP offer, through the server the UA registered with.
// progress, if not nil, is called on the goroutine that called Dial for
// every provisional response above 100 (180 Ringing, 183 Session
// Progress) with its SDP, if any (early media). Dial returns when the call
// is answered (and the ACK sent) or has failed:
//   - ctx cancelled before the answer: CANCEL is sent, ctx's error returned;
//   - Close during set-up: CANCEL is sent, ErrClosed returned;
//   - 4xx-6xx: *StatusError (401/407 after credentials: ErrAuthFailed);
//   - no connection: ErrUnreachable or *CertificateError;
//   - before the first Register: ErrNotRegistered.
func (u *UA) Dial(ctx context.Context, target string, offer []byte, progress func(code int, sdp []byte)) (*Dialog, error) {
	contact, ok := u.currentContact()
	u.mu.Lock()
	if u.closing {
		u.mu.Unlock()
		return nil, ErrClosed
	}
	u.wg.Add(1) // Close waits for a call being set up (and its CANCEL)
	u.mu.Unlock()
	defer u.wg.Done()
	if !ok {
		return nil, ErrNotRegistered
	}
	// Close cancels a call that is still ringing.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(u.ctx, cancel)()

	to, err := u.targetURI(target)
	if err != nil {
		return nil, err
	}
	req := u.newInvite(to, contact, offer)
	u.log.Info("dialling", "target", maskedURI(to.String()))
	u.trace("send", req)
	dua := &sipgo.DialogUA{Client: u.client, ContactHDR: contact}
	sess, err := dua.WriteInvite(ctx, req)
	if err != nil {
		if u.ctx.Err() != nil {
			return nil, ErrClosed
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("call: %w", classifyTransport(u.serverAddr(), err))
	}
	authSent := false
	err = sess.WaitAnswer(ctx, sipgo.AnswerOptions{
		Username: u.cfg.AuthUser,
		Password: u.cfg.Password,
		OnResponse: func(res *sip.Response) error {
			u.trace("recv", res)
			if res.StatusCode == 401 || res.StatusCode == 407 {
				authSent = true // sipgo answers the challenge with our credentials
			}
			if progress != nil && res.StatusCode > 100 && res.StatusCode < 200 {
				progress(res.StatusCode, append([]byte(nil), res.Body()...))
			}
			return nil
		},
	})
	if err != nil {
		return nil, u.unanswered(ctx, sess, err, authSent)
	}
	d := newDialog(u, sess.ID, append([]byte(nil), sess.InviteResponse.Body()...))
	d.client = sess
	if !u.addDialog(d, sess.Context()) {
		_ = u.ack(context.Background(), sess)
		_ = sess.Bye(context.Background())
		return nil, ErrClosed
	}
	if err := u.ack(ctx, sess); err != nil {
		d.end("failed to acknowledge the answer")
		return nil, fmt.Errorf("call: ACK: %w", classifyTransport(u.serverAddr(), err))
	}
	u.log.Info("call answered by far end")
	return d, nil
}

// unanswered explains why an INVITE got no answer: closed, cancelled, a
// final status (a second challenge means wrong credentials), or the
// transport. A 2xx that crossed our CANCEL still creates a dialog: it is ended.
func (u *UA) unanswered(ctx context.Context, sess *sipgo.DialogClientSession, err error, authSent bool) error {
	u.log.Debug("INVITE transaction ended without answer", "error", err)
	// A 2xx that crossed our CANCEL still creates a dialog: end it.
	if r := sess.InviteResponse; ctx.Err() != nil && r != nil && r.IsSuccess() {
		u.endCrossedAnswer(sess)
	}
	var dr *sipgo.ErrDialogResponse
	switch {
	case u.ctx.Err() != nil:
		return ErrClosed
	case ctx.Err() != nil:
		u.log.Info("call cancelled before answer")
		return ctx.Err()
	case errors.As(err, &dr):
		code := dr.Res.StatusCode
		u.log.Info("call failed", "code", code)
		// sipgo answered the first challenge; a second one means the
		// credentials are wrong.
		return fmt.Errorf("call: %w", classifyStatus(code, dr.Res.Reason, authSent && (code == 401 || code == 407)))
	default:
		return fmt.Errorf("call: %w", classifyTransport(u.serverAddr(), err))
	}
}

// newInvite builds the INVITE to the request URI to through our outbound
// proxy, with offer as its SDP body.
func (u *UA) newInvite(to sip.Uri, contact sip.ContactHeader, offer []byte) *sip.Request {
	req := sip.NewRequest(sip.INVITE, to)
	req.SetTransport(u.transport)
	req.SetDestination(u.serverAddr()) // outbound proxy: the flow we registered on
	from := &sip.FromHeader{DisplayName: u.cfg.DisplayName, Address: u.aor(), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: *to.Clone(), Params: sip.NewParams()})
	req.AppendHeader(&contact)
	// Pre-loaded route to the outbound proxy (RFC 3261 §8.1.2): sipgo
	// builds the CANCEL from the INVITE's Route set, and a CANCEL must go
	// where the INVITE went (§9.1).
	req.AppendHeader(u.outboundRoute())
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	req.AppendHeader(sip.NewHeader("User-Agent", u.cfg.UserAgent))
	if offer != nil {
		req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	req.SetBody(offer)
	return req
}

// outboundRoute is a loose Route header to the configured server.
func (u *UA) outboundRoute() *sip.RouteHeader {
	host, portStr, _ := net.SplitHostPort(u.serverAddr())
	port, _ := strconv.Atoi(portStr)
	r := &sip.RouteHeader{Address: sip.Uri{Scheme: "sip", Host: host, Port: port, UriParams: sip.NewParams()}}
	r.Address.UriParams.Add("transport", strings.ToLower(u.transport))
	r.Address.UriParams.Add("lr", "")
	return r
}

// ack sends the ACK for a 2xx through the server, like every other request
// (sipgo's default ACK goes to the far end's Contact when there is no
// Record-Route, which a phone behind NAT often cannot reach).
func (u *UA) ack(ctx context.Context, sess *sipgo.DialogClientSession) error {
	c := sess.InviteResponse.Contact()
	if c == nil {
		return sess.Ack(ctx)
	}
	ack := sip.NewRequest(sip.ACK, *c.Address.Clone())
	ack.SetTransport(u.transport)
	ack.SetDestination(u.serverAddr())
	ack.SetBody(nil)
	u.trace("send", ack)
	return sess.WriteAck(ctx, ack)
}

// endCrossedAnswer ACKs and BYEs a 2xx that arrived after we cancelled.
func (u *UA) endCrossedAnswer(sess *sipgo.DialogClientSession) {
	id, err := sip.DialogIDFromResponse(sess.InviteResponse)
	if err != nil {
		return
	}
	sess.ID = id
	ctx, cancel := context.WithTimeout(context.Background(), sip.Timer_B)
	defer cancel()
	if err := u.ack(ctx, sess); err == nil {
		_ = sess.Bye(ctx)
	}
}

// handleReInvite answers a re-INVITE with the dialog's OnReInvite handler.
func (u *UA) handleReInvite(req *sip.Request, tx sip.ServerTransaction) {
	d := u.findDialog(req)
	if d == nil || d.ended() {
		u.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
		return
	}
	if d.reinviting.Load() {
		u.respond(tx, req, 491, "Request Pending", nil)
		return
	}
	var derr error
	if d.client != nil {
		derr = d.client.ReadRequest(req, tx)
	} else {
		derr = d.server.ReadRequest(req, tx)
	}
	if derr != nil {
		u.respond(tx, req, 500, "Server Internal Error", nil, sip.NewHeader("Retry-After", "1"))
		return
	}
	d.mu.Lock()
	f := d.onReInvite
	d.mu.Unlock()
	if f == nil {
		u.respond(tx, req, 488, "Not Acceptable Here", nil)
		return
	}
	answer, err := f(append([]byte(nil), req.Body()...))
	if err != nil {
		u.log.Info("re-INVITE rejected", "error", err)
		u.respond(tx, req, 488, "Not Acceptable Here", nil)
		return
	}
	d.mu.Lock()
	d.remoteSDP = append([]byte(nil), req.Body()...)
	d.mu.Unlock()
	res := sip.NewSDPResponseFromRequest(req, answer)
	if c, ok := u.currentContact(); ok {
		res.AppendHeader(&c)
	}
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	u.trace("send", res)
	if err := tx.Respond(res); err != nil {
		u.log.Debug("respond to re-INVITE", "error", err)
		return
	}
	// Keep the transaction until the ACK comes, so that retransmitted
	// re-INVITEs are absorbed by it.
	select {
	case <-tx.Acks():
	case <-tx.Done():
	case <-d.done:
	case <-u.ctx.Done():
	}
}

func (u *UA) handleAck(req *sip.Request, tx sip.ServerTransaction) {
	u.trace("recv", req)
	d := u.findDialog(req)
	if d == nil || d.server == nil {
		return // ACK of a re-INVITE we answered as UAC, or stray: nothing to do
	}
	_ = d.server.ReadAck(req, tx)
}

func (u *UA) handleBye(req *sip.Request, tx sip.ServerTransaction) {
	u.trace("recv", req)
	d := u.findDialog(req)
	if d == nil {
		u.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
		return
	}
	// Ended before the 200 goes out: once the far end has its answer it may take the call for
	// over, and a hang-up of ours in between (Close) must not send a BYE of its own.
	d.end(ReasonRemoteHangup)
	var err error
	if d.client != nil {
		err = d.client.ReadBye(req, tx)
	} else {
		err = d.server.ReadBye(req, tx)
	}
	if err != nil {
		u.respond(tx, req, 200, "OK", nil)
	}
}

func (u *UA) handleInfo(req *sip.Request, tx sip.ServerTransaction) {
	u.trace("recv", req)
	d := u.findDialog(req)
	if d == nil {
		u.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(strings.TrimSpace(h.Value()))
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	if len(req.Body()) == 0 {
		u.respond(tx, req, 200, "OK", nil) // keep-alive INFO
		return
	}
	if ct != dtmfRelayType {
		u.respond(tx, req, 415, "Unsupported Media Type", nil, sip.NewHeader("Accept", dtmfRelayType))
		return
	}
	digit, _, err := parseDTMFRelay(req.Body())
	if err != nil {
		u.respond(tx, req, 400, "Bad DTMF", nil)
		return
	}
	u.respond(tx, req, 200, "OK", nil)
	d.mu.Lock()
	f := d.onDTMF
	d.mu.Unlock()
	if f != nil {
		f(digit)
	}
}

// handleNotify accepts the transfer progress NOTIFYs that follow our REFER.
func (u *UA) handleNotify(req *sip.Request, tx sip.ServerTransaction) {
	u.trace("recv", req)
	if u.notifySubscription(req) {
		u.respond(tx, req, 200, "OK", nil)
		return
	}
	if u.findDialog(req) == nil {
		u.respond(tx, req, 481, "Subscription Does Not Exist", nil)
		return
	}
	u.respond(tx, req, 200, "OK", nil)
}

func (u *UA) handleOptions(req *sip.Request, tx sip.ServerTransaction) {
	u.trace("recv", req)
	u.respond(tx, req, 200, "OK", nil, sip.NewHeader("Allow", allowed), sip.NewHeader("Accept", "application/sdp"))
}

// handleStrayCancel answers a CANCEL that matched no INVITE transaction.
func (u *UA) handleStrayCancel(req *sip.Request, tx sip.ServerTransaction) {
	u.trace("recv", req)
	u.respond(tx, req, 481, "Call/Transaction Does Not Exist", nil)
}

// handleRefer declines being transferred: the agent decides whom to call.
func (u *UA) handleRefer(req *sip.Request, tx sip.ServerTransaction) {
	u.trace("recv", req)
	u.respond(tx, req, 603, "Decline", nil)
}
