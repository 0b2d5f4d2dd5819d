package sip

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Incoming is a call offered to us that has not been answered yet.
// Exactly one of Answer and Reject takes effect.
type Incoming struct {
	// From is the caller's SIP URI, To the URI that was called.
	From, To string
	// Number is the user part of From (usually the caller's number) and
	// DisplayName the name the caller sent, if any. Both are personal data:
	// do not log them unmasked.
	Number, DisplayName string
	// CallID is the SIP Call-ID.
	CallID string

	ua    *UA
	sess  *sipgo.DialogServerSession
	offer []byte

	mu      sync.Mutex
	settled bool          // Answer or Reject has been called; guarded by mu
	done    chan struct{} // closed when Answer/Reject finished
	cancel  chan struct{} // closed when the caller cancelled
	cOnce   sync.Once
}

// Offer returns the caller's SDP offer (nil if the INVITE had no body).
func (in *Incoming) Offer() []byte { return append([]byte(nil), in.offer...) }

// Cancelled is closed when the caller gives up (CANCEL) or the INVITE
// transaction dies before we answered.
func (in *Incoming) Cancelled() <-chan struct{} { return in.cancel }

func (in *Incoming) markCancelled() { in.cOnce.Do(func() { close(in.cancel) }) }

// settle claims the right to send the final response.
func (in *Incoming) settle() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	select {
	case <-in.cancel:
		return ErrCallEnded
	default:
	}
	if in.settled {
		return errors.New("call was already answered or rejected")
	}
	in.settled = true
	return nil
}

// Ring sends 180 Ringing.
func (in *Incoming) Ring() error {
	in.mu.Lock()
	settled := in.settled
	in.mu.Unlock()
	if settled {
		return errors.New("call was already answered or rejected")
	}
	if err := in.sess.Respond(180, "Ringing", nil); err != nil {
		return fmt.Errorf("ringing: %w", err)
	}
	return nil
}

// Answer accepts the call with our SDP answer (200 OK) and waits for the
// caller's ACK (normally milliseconds; at most 32 s). It returns
// ErrCallEnded when the caller cancelled first. ctx is checked before the
// 200 OK is sent; once sent it cannot be withdrawn.
func (in *Incoming) Answer(ctx context.Context, sdp []byte) (*Dialog, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := in.settle(); err != nil {
		return nil, err
	}
	defer close(in.done)
	d := newDialog(in.ua, in.sess.ID, in.offer)
	d.server = in.sess
	if !in.ua.addDialog(d, in.sess.Context()) {
		_ = in.sess.Respond(480, "Temporarily Unavailable", nil)
		return nil, ErrClosed
	}
	res := sip.NewSDPResponseFromRequest(in.sess.InviteRequest, sdp)
	res.AppendHeader(sip.NewHeader("Allow", allowed))
	res.AppendHeader(sip.NewHeader("User-Agent", in.ua.cfg.UserAgent))
	in.ua.trace("send", res)

	// WriteResponse returns once the ACK arrives (or Timer H fires). The
	// 200 OK cannot be taken back, so ctx is only checked before sending.
	err := in.sess.WriteResponse(res)
	if err != nil {
		d.end("answer failed")
		select {
		case <-in.cancel:
			return nil, ErrCallEnded
		default:
		}
		return nil, fmt.Errorf("answer: %w", classifyTransport(in.ua.serverAddr(), err))
	}
	in.ua.log.Info("call answered")
	return d, nil
}

// Reject declines the call with a final response, e.g. 486 "Busy Here",
// 603 "Decline" or 488 "Not Acceptable Here". It returns when the caller
// has acknowledged the response.
func (in *Incoming) Reject(code int, reason string) error {
	if code < 300 || code > 699 {
		return fmt.Errorf("reject needs a 3xx-6xx code, got %d", code)
	}
	if err := in.settle(); err != nil {
		return err
	}
	defer close(in.done)
	in.ua.log.Info("call rejected", "code", code)
	if err := in.sess.Respond(code, reason, nil); err != nil {
		return fmt.Errorf("reject: %w", err)
	}
	return nil
}

// handleInvite is sipgo's INVITE handler: a new call, or a re-INVITE in an
// existing dialog. The handler must not return before the final response,
// because sipgo ends the transaction when it does.
func (u *UA) handleInvite(req *sip.Request, tx sip.ServerTransaction) {
	u.trace("recv", req)
	if to := req.To(); to != nil {
		if _, ok := to.Params.Get("tag"); ok {
			u.handleReInvite(req, tx)
			return
		}
	}
	u.mu.Lock()
	cb, closing := u.onInvite, u.closing
	contact := u.contact
	if !closing && contact != nil && cb != nil {
		u.wg.Add(1) // under mu: Close sets closing before it waits
	}
	u.mu.Unlock()
	if closing || contact == nil || cb == nil {
		u.respond(tx, req, 480, "Temporarily Unavailable", nil)
		return
	}
	defer u.wg.Done()

	dua := &sipgo.DialogUA{Client: u.client, ContactHDR: *contact.Clone()}
	sess, err := dua.ReadInvite(req, tx)
	if err != nil {
		u.log.Debug("bad INVITE", "error", err)
		u.respond(tx, req, 400, "Bad Request", nil)
		return
	}
	in := &Incoming{
		CallID: req.CallID().Value(),
		ua:     u,
		sess:   sess,
		offer:  append([]byte(nil), req.Body()...),
		done:   make(chan struct{}),
		cancel: make(chan struct{}),
	}
	if f := req.From(); f != nil {
		in.From = f.Address.String()
		in.Number = f.Address.User
		in.DisplayName = f.DisplayName
	}
	if t := req.To(); t != nil {
		in.To = t.Address.String()
	}
	_ = sess.Respond(100, "Trying", nil)
	u.log.Info("incoming call", "from", maskedURI(in.From))
	cb(in)

	select {
	case <-in.done:
	case <-sess.Context().Done():
		in.markCancelled()
		u.log.Info("incoming call cancelled by caller")
		// If Answer is racing with the CANCEL, let it finish before the
		// transaction goes away.
		in.mu.Lock()
		settled := in.settled
		in.mu.Unlock()
		if settled {
			<-in.done
		}
	case <-u.ctx.Done():
		if err := in.settle(); err == nil {
			_ = sess.Respond(480, "Temporarily Unavailable", nil)
			close(in.done)
		} else {
			<-in.done
		}
		in.markCancelled()
	}
}
