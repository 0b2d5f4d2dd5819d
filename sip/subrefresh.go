package sip

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Refreshing what we asked the presence server for before it expires:
// a subscription by a SUBSCRIBE in its dialog (RFC 6665 §4.1.2.1), a
// publication by a body-less PUBLISH with SIP-If-Match (RFC 3903 §4.4).

// ErrSubscriptionGone means the notifier ended or forgot a subscription
// (terminated NOTIFY, 481 or another refusal of the refresh): subscribe
// afresh.
var ErrSubscriptionGone = errors.New("subscription ended")

// ErrPublicationGone means the server no longer knows our publication
// (412 Conditional Request Failed, or nothing published yet): publish the
// full state afresh.
var ErrPublicationGone = errors.New("publication unknown to the server")

// subDialog is the dialog state of one subscription.
type subDialog struct {
	ua      *UA
	mu      sync.Mutex
	req     *sip.Request // the last SUBSCRIBE sent in the dialog
	toTag   string
	target  sip.Uri // the notifier's Contact
	granted time.Duration
	done    chan struct{} // closed when the subscription ended
	ended   bool
}

// established records the dialog from the 2xx to the initial SUBSCRIBE.
func (d *subDialog) established(res *sip.Response, asked time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if to := res.To(); to != nil {
		d.toTag, _ = to.Params.Get("tag")
	}
	d.target = *d.req.Recipient.Clone()
	if c := res.Contact(); c != nil {
		d.target = *c.Address.Clone()
	}
	d.granted = expiresOf(res, asked)
}

// terminate marks the subscription ended (idempotent).
func (d *subDialog) terminate() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.ended {
		d.ended = true
		close(d.done)
	}
}

// Granted is the lifetime the notifier granted at the last (re)subscribe.
func (s *Subscription) Granted() time.Duration {
	s.dlg.mu.Lock()
	defer s.dlg.mu.Unlock()
	return s.dlg.granted
}

// Ended is closed when the notifier terminates the subscription.
func (s *Subscription) Ended() <-chan struct{} { return s.dlg.done }

// Close forgets the subscription locally; later NOTIFYs for it are
// answered 481 by the UA.
func (s *Subscription) Close() {
	u := s.dlg.ua
	u.mu.Lock()
	delete(u.subs, s.callID)
	u.mu.Unlock()
	s.dlg.terminate()
}

// Refresh sends a SUBSCRIBE in the subscription's dialog asking for
// expires more; ErrSubscriptionGone when the notifier refuses it.
func (s *Subscription) Refresh(ctx context.Context, expires time.Duration) error {
	d := &s.dlg
	d.mu.Lock()
	if d.ended || d.toTag == "" {
		d.mu.Unlock()
		return ErrSubscriptionGone
	}
	req := d.req.Clone()
	req.Recipient = *d.target.Clone()
	req.RemoveHeader("Via")
	req.RemoveHeader("Authorization")
	req.RemoveHeader("Proxy-Authorization")
	if to := req.To(); to != nil {
		to.Params = sip.NewParams()
		to.Params.Add("tag", d.toTag)
	}
	if cseq := req.CSeq(); cseq != nil {
		cseq.SeqNo += 2 // past a possible authenticated retry of the last one
	}
	req.ReplaceHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires/time.Second))))
	d.req = req
	d.mu.Unlock()
	res, err := d.ua.doAuth(ctx, req)
	if err != nil {
		return fmt.Errorf("refresh subscription: %w", err)
	}
	if !res.IsSuccess() {
		s.Close()
		return fmt.Errorf("refresh subscription: %w (%d %s)", ErrSubscriptionGone, res.StatusCode, res.Reason)
	}
	d.mu.Lock()
	d.granted = expiresOf(res, expires)
	d.mu.Unlock()
	return nil
}

// Granted is the lifetime the server granted at the last PUBLISH.
func (p *Publication) Granted() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.granted
}

// RefreshPublication extends p by expires with a body-less PUBLISH
// carrying its entity tag; ErrPublicationGone when the server has
// forgotten it (then Publish the full state again).
func (u *UA) RefreshPublication(ctx context.Context, p *Publication, event string, expires time.Duration) error {
	if _, ok := u.currentContact(); !ok {
		return ErrNotRegistered
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.etag == "" {
		return ErrPublicationGone
	}
	req := u.outOfDialog(sip.PUBLISH, u.aor())
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires/time.Second))))
	req.AppendHeader(sip.NewHeader("SIP-If-Match", p.etag))
	res, err := u.doAuth(ctx, req)
	if err != nil {
		return fmt.Errorf("refresh publication %s: %w", event, err)
	}
	if res.StatusCode == 412 {
		p.etag = ""
		return ErrPublicationGone
	}
	if !res.IsSuccess() {
		return fmt.Errorf("refresh publication %s: %w", event, &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	if h := res.GetHeader("SIP-ETag"); h != nil {
		p.etag = strings.TrimSpace(h.Value())
	}
	p.granted = expiresOf(res, expires)
	return nil
}

// expiresOf reads a response's Expires header, else what we asked for.
func expiresOf(res *sip.Response, asked time.Duration) time.Duration {
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}

// RefreshAfter is when to refresh something granted for g (80 % of its
// lifetime, at least 1 s before expiry where there is room).
func RefreshAfter(g time.Duration) time.Duration { return refreshAfter(g) }
