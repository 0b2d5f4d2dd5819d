package sip

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"softphone/internal/redact"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"
)

// Register sends the first REGISTER and waits for the answer. On success
// a background loop keeps the registration: it refreshes before expiry,
// sends CRLF keep-alives, and re-registers with back-off after a lost
// connection, reporting every change to OnRegistration.
//
// Errors: ErrAuthFailed, *CertificateError, ErrUnreachable, *StatusError,
// ErrClosed, or ctx's error.
func (u *UA) Register(ctx context.Context) error {
	if u.ctx.Err() != nil {
		return ErrClosed
	}
	u.setState(StateRegistering, nil)
	u.regMu.Lock()
	granted, err := u.registerAnyLocked(ctx, 0)
	u.regMu.Unlock()
	if err != nil {
		u.setState(StateUnregistered, err)
		return fmt.Errorf("register %s@%s: %w", redact.Number(u.cfg.User), u.cfg.Domain, err)
	}
	u.setState(StateRegistered, nil)

	u.mu.Lock()
	start := !u.loopOn && !u.closing
	if start {
		u.loopOn = true
		u.wg.Add(1)
	}
	u.mu.Unlock()
	if start {
		go u.keepRegistered(granted)
	}
	return nil
}

// openFlow opens (or reuses) the connection to tgt and returns our
// Contact for it (the connection's local address) and the connection's
// remote address ("" on UDP).
func (u *UA) openFlow(ctx context.Context, tgt target) (*sip.ContactHeader, string, error) {
	host, portStr, _ := net.SplitHostPort(tgt.addr)
	port, _ := strconv.Atoi(portStr)
	probe := sip.NewRequest(sip.OPTIONS, sip.Uri{Scheme: "sip", Host: host, Port: port})
	probe.SetTransport(u.transport)
	probe.SetDestination(tgt.addr)
	probe.AppendHeader(&sip.ViaHeader{
		ProtocolName: "SIP", ProtocolVersion: "2.0", Transport: u.transport, Params: sip.NewParams(),
	})
	u.tlsName.Store(tgt.tlsFor)
	conn, err := u.sua.TransportLayer().ClientRequestConnection(ctx, probe)
	if err != nil {
		return nil, "", classifyTransport(tgt.addr, err)
	}
	local := conn.LocalAddr().String()
	remote := ""
	if ra, ok := conn.(interface{ RemoteAddr() net.Addr }); ok && ra.RemoteAddr() != nil {
		remote = ra.RemoteAddr().String()
	}
	// ClientRequestConnection took a reference for us; give it back so that
	// the pool alone decides the connection's life.
	_, _ = conn.TryClose()
	if u.transport == "UDP" {
		remote = ""
	}

	lhost, lport, err := net.SplitHostPort(local)
	if err != nil {
		return nil, "", fmt.Errorf("local address %q: %w", local, err)
	}
	p, _ := strconv.Atoi(lport)
	contact := &sip.ContactHeader{
		Address: sip.Uri{
			Scheme:    "sip",
			User:      u.cfg.User,
			Host:      lhost,
			Port:      p,
			UriParams: sip.NewParams(),
		},
		Params: sip.NewParams(),
	}
	contact.Address.UriParams.Add("transport", strings.ToLower(u.transport))
	return contact, remote, nil
}

// registerLocked runs one REGISTER exchange (with digest authentication)
// for the given lifetime at the current target; expires 0 removes the
// binding. Caller holds regMu.
func (u *UA) registerLocked(ctx context.Context, expires time.Duration) (time.Duration, error) {
	u.mu.Lock()
	tgt := u.target
	u.mu.Unlock()
	if expires > 0 {
		return u.registerAtLocked(ctx, tgt, expires)
	}
	contact, ok := u.currentContact()
	if !ok {
		return 0, ErrNotRegistered
	}
	return u.exchangeLocked(ctx, tgt, contact, nil, 0)
}

// registerAtLocked registers at tgt on a flow to it; on success tgt
// becomes the UA's target and the flow its registered flow.
func (u *UA) registerAtLocked(ctx context.Context, tgt target, expires time.Duration) (time.Duration, error) {
	contact, remote, err := u.openFlow(ctx, tgt)
	if err != nil {
		return 0, err
	}
	g, err := u.exchangeLocked(ctx, tgt, *contact, u.staleContact(tgt, contact), expires)
	if err != nil {
		// Before any registration, keep the flow anyway: calls may still
		// be tried on it (and report the server's answer to them).
		u.mu.Lock()
		if u.contact == nil {
			u.contact, u.flowRemote, u.target = contact, remote, tgt
		}
		u.mu.Unlock()
		return 0, err
	}
	u.mu.Lock()
	u.contact, u.flowRemote, u.target = contact, remote, tgt
	u.mu.Unlock()
	u.flowKey.Store(remote)
	u.flowRx.Store(time.Now().UnixNano())
	return g, nil
}

// staleContact is the Contact registered on the previous flow at the same
// target, with expires=0, when registering on a new flow there (the old
// one died with an address change or a NAT); nil otherwise.
func (u *UA) staleContact(tgt target, contact *sip.ContactHeader) *sip.ContactHeader {
	u.mu.Lock()
	defer u.mu.Unlock()
	old := u.contact
	if !u.registered || old == nil || u.target.addr != tgt.addr ||
		old.Address.Host == contact.Address.Host && old.Address.Port == contact.Address.Port {
		return nil
	}
	c := old.Clone()
	c.Params = sip.NewParams()
	c.Params.Add("expires", "0")
	return c
}

// exchangeLocked is one REGISTER transaction at tgt, answering digest
// challenges.
func (u *UA) exchangeLocked(ctx context.Context, tgt target, contact sip.ContactHeader, stale *sip.ContactHeader, expires time.Duration) (time.Duration, error) {
	if u.regCallID == "" {
		u.regCallID = uuid.NewString()
		u.regFromTag = sip.GenerateTagN(16)
		u.regCSeq = uint32(rand.IntN(10000)) + 1
	}

	var (
		authHdr  sip.Header
		authSent bool
		staleOK  = true
	)
	for attempt := 0; attempt < 4; attempt++ {
		req := u.newRegister(tgt.addr, contact, expires, authHdr)
		if stale != nil {
			// Remove the binding of the old flow in the same request
			// (RFC 3261 §10.2.2: a Contact with expires=0).
			req.AppendHeader(stale)
		}
		u.trace("send", req)
		res, err := u.client.Do(ctx, req)
		if err != nil {
			if errors.Is(ctx.Err(), context.Canceled) {
				return 0, ctx.Err()
			}
			// A deadline here means the server took our REGISTER but never
			// answered: unreachable as far as the user is concerned.
			return 0, classifyTransport(tgt.addr, err)
		}
		u.trace("recv", res)
		switch code := res.StatusCode; {
		case code >= 200 && code < 300:
			return u.registeredOK(res, &contact, expires), nil
		case code == 401 || code == 407:
			hname, cname := "WWW-Authenticate", "Authorization"
			if code == 407 {
				hname, cname = "Proxy-Authenticate", "Proxy-Authorization"
			}
			h := res.GetHeader(hname)
			if h == nil {
				return 0, &StatusError{Code: code, Reason: res.Reason}
			}
			if authSent {
				// A second challenge is a wrong password, unless the server
				// only says our nonce was stale.
				if !(staleOK && isStale(h.Value())) {
					return 0, ErrAuthFailed
				}
				staleOK = false
			}
			v, err := authorize(h.Value(), "REGISTER", req.Recipient.Addr(), u.cfg.AuthUser, u.cfg.Password, "")
			if err != nil {
				return 0, fmt.Errorf("answer registrar's challenge: %w", err)
			}
			authHdr, authSent = sip.NewHeader(cname, v), true
		case code == 423:
			if expires, err = minExpires(res, expires); err != nil {
				return 0, err
			}
		default:
			return 0, classifyStatus(code, res.Reason, authSent)
		}
	}
	return 0, ErrAuthFailed
}

// registeredOK records a 2xx to our REGISTER and returns the expiry the
// registrar granted (0 after an unregister).
func (u *UA) registeredOK(res *sip.Response, contact *sip.ContactHeader, expires time.Duration) time.Duration {
	u.mu.Lock()
	u.registered = expires > 0
	u.mu.Unlock()
	if expires == 0 {
		return 0
	}
	g := grantedExpiry(res, contact, expires)
	u.mu.Lock()
	u.granted = g
	u.mu.Unlock()
	return g
}

// minExpires reads a 423 Interval Too Brief: the server's Min-Expires is
// the expiry to ask for next (RFC 3261 §10.3). A missing or unusable value
// (not above what we asked) is the 423 as a StatusError.
func minExpires(res *sip.Response, expires time.Duration) (time.Duration, error) {
	h := res.GetHeader("Min-Expires")
	if h == nil {
		return 0, &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
	if err != nil || n <= 0 || time.Duration(n)*time.Second <= expires {
		return 0, &StatusError{Code: res.StatusCode, Reason: res.Reason}
	}
	return time.Duration(n) * time.Second, nil
}

// newRegister builds one REGISTER of our registration (same Call-ID and
// From tag, increasing CSeq, RFC 3261 §10.2).
func (u *UA) newRegister(dest string, contact sip.ContactHeader, expires time.Duration, auth sip.Header) *sip.Request {
	u.regCSeq++
	recipient := sip.Uri{Scheme: "sip", Host: u.cfg.Domain}
	if h, p, err := net.SplitHostPort(u.cfg.Domain); err == nil {
		recipient.Host = h
		recipient.Port, _ = strconv.Atoi(p)
	}
	req := sip.NewRequest(sip.REGISTER, recipient)
	req.SetTransport(u.transport)
	req.SetDestination(dest)
	aor := sip.Uri{Scheme: "sip", User: u.cfg.User, Host: recipient.Host, Port: recipient.Port}
	from := &sip.FromHeader{DisplayName: u.cfg.DisplayName, Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", u.regFromTag)
	to := &sip.ToHeader{Address: aor, Params: sip.NewParams()}
	callID := sip.CallIDHeader(u.regCallID)
	maxFwd := sip.MaxForwardsHeader(70)
	exp := sip.ExpiresHeader(uint32(expires / time.Second))
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: u.regCSeq, MethodName: sip.REGISTER})
	req.AppendHeader(&maxFwd)
	req.AppendHeader(&contact)
	req.AppendHeader(&exp)
	req.AppendHeader(sip.NewHeader("User-Agent", u.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Allow", allowed))
	if auth != nil {
		req.AppendHeader(auth)
	}
	req.SetBody(nil)
	return req
}

// allowed lists the methods we handle, for Allow headers.
const allowed = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REFER, MESSAGE"

// grantedExpiry reads the lifetime the registrar granted for our contact:
// the Contact's expires parameter, else the Expires header, else what we
// asked for (RFC 3261 §10.2.4).
func grantedExpiry(res *sip.Response, ours *sip.ContactHeader, asked time.Duration) time.Duration {
	for _, h := range res.GetHeaders("Contact") {
		c, ok := h.(*sip.ContactHeader)
		if !ok {
			continue
		}
		if c.Address.Host != ours.Address.Host || c.Address.Port != ours.Address.Port || c.Address.User != ours.Address.User {
			continue
		}
		if v, ok := c.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return expiresOf(res, asked)
}

// refreshAfter is when to refresh a registration granted for g: at 80 %
// of the lifetime, but at least 1 s before expiry when there is room.
func refreshAfter(g time.Duration) time.Duration {
	r := g * 8 / 10
	if g-r < time.Second && g > 2*time.Second {
		r = g - time.Second
	}
	if r < 500*time.Millisecond {
		r = 500 * time.Millisecond
	}
	return r
}

// backoff returns the wait before retry n (0-based): 1 s doubling up to
// max, with ±20 % jitter so that many phones do not re-register at once.
func backoff(n int, max time.Duration) time.Duration {
	d := time.Second << min(n, 10)
	if d > max || d <= 0 {
		d = max
	}
	jitter := time.Duration(rand.Int64N(int64(d)/5+1)) - d/10
	return d + jitter
}
