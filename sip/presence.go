package sip

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"
)

// Presence (RFC 3856) and dialog events (RFC 4235) through the PBX's
// presence server: we PUBLISH our own state (RFC 3903) and SUBSCRIBE to
// colleagues' (RFC 6665); their NOTIFYs arrive on the registered flow.

// Publication is the state we published for one event package; its
// entity tag lets the next Publish modify it (SIP-If-Match).
type Publication struct {
	mu      sync.Mutex
	etag    string
	granted time.Duration // lifetime the server granted
}

// Publish sends our state for event ("presence", "dialog") with body of
// contentType, valid for expires. p carries the entity tag between calls.
func (u *UA) Publish(ctx context.Context, p *Publication, event, contentType string, body []byte, expires time.Duration) error {
	if _, ok := u.currentContact(); !ok {
		return ErrNotRegistered
	}
	req := u.outOfDialog(sip.PUBLISH, u.aor())
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires/time.Second))))
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.etag != "" {
		req.AppendHeader(sip.NewHeader("SIP-If-Match", p.etag))
	}
	req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	req.SetBody(body)
	res, err := u.doAuth(ctx, req)
	if err != nil {
		return fmt.Errorf("publish %s: %w", event, err)
	}
	if res.StatusCode == 412 && p.etag != "" { // the server forgot our entity: publish afresh
		p.etag = ""
		req.RemoveHeader("SIP-If-Match")
		req.RemoveHeader("Via")
		if res, err = u.doAuth(ctx, req); err != nil {
			return fmt.Errorf("publish %s: %w", event, err)
		}
	}
	if !res.IsSuccess() {
		return fmt.Errorf("publish %s: %w", event, &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	if h := res.GetHeader("SIP-ETag"); h != nil {
		p.etag = strings.TrimSpace(h.Value())
	}
	p.granted = expiresOf(res, expires)
	return nil
}

// Notification is one NOTIFY of a subscription.
type Notification struct {
	Event       string
	State       string // Subscription-State: active, pending, terminated
	ContentType string
	Body        []byte
}

// Subscription is a SUBSCRIBE dialog we started; NOTIFYs matching its
// Call-ID are handed to its callback.
type Subscription struct {
	callID string
	notify func(Notification)
	dlg    subDialog // for in-dialog refreshes (subrefresh.go)
}

// Subscribe asks for target's event state ("presence", "dialog") for
// expires; notify runs on the NOTIFY's goroutine and must not block.
func (u *UA) Subscribe(ctx context.Context, target, event, accept string, expires time.Duration, notify func(Notification)) (*Subscription, error) {
	to, err := u.targetURI(target)
	if err != nil {
		return nil, err
	}
	contact, ok := u.currentContact()
	if !ok {
		return nil, ErrNotRegistered
	}
	req := u.outOfDialog(sip.SUBSCRIBE, to)
	req.AppendHeader(&contact)
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Accept", accept))
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(int(expires/time.Second))))
	callID := sip.CallIDHeader(uuid.NewString())
	req.AppendHeader(&callID)
	s := &Subscription{callID: string(callID), notify: notify, dlg: subDialog{ua: u, req: req, done: make(chan struct{})}}
	u.mu.Lock()
	if u.subs == nil {
		u.subs = map[string]*Subscription{}
	}
	u.subs[s.callID] = s // before sending: the first NOTIFY may beat the 200
	u.mu.Unlock()
	res, err := u.doAuth(ctx, req)
	if err == nil && !res.IsSuccess() {
		err = &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	if err != nil {
		u.mu.Lock()
		delete(u.subs, s.callID)
		u.mu.Unlock()
		return nil, fmt.Errorf("subscribe %s: %w", event, err)
	}
	s.dlg.established(res, expires)
	return s, nil
}

// notifySubscription hands a NOTIFY to its subscription; false if none.
func (u *UA) notifySubscription(req *sip.Request) bool {
	cid := req.CallID()
	if cid == nil {
		return false
	}
	u.mu.Lock()
	s := u.subs[cid.Value()]
	u.mu.Unlock()
	if s == nil {
		return false
	}
	n := Notification{Body: append([]byte(nil), req.Body()...)}
	if h := req.GetHeader("Event"); h != nil {
		n.Event = strings.TrimSpace(h.Value())
	}
	if h := req.GetHeader("Subscription-State"); h != nil {
		n.State, _, _ = strings.Cut(strings.TrimSpace(h.Value()), ";")
	}
	if ct := req.ContentType(); ct != nil {
		n.ContentType = strings.TrimSpace(ct.Value())
	}
	s.notify(n)
	if n.State == "terminated" {
		s.dlg.terminate()
	}
	return true
}
