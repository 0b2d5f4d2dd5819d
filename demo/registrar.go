package demo

import (
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// binding is one registration: where a user can be reached.
type binding struct {
	contact sip.Uri   // the Contact the phone registered
	source  string    // "ip:port" of the TLS flow the REGISTER came on
	callID  string    // of the REGISTER, to tell refreshes from other phones
	expires time.Time // absolute expiry
}

// isExtension reports whether name is one of the PBX's own extensions.
func isExtension(name string) bool {
	switch strings.ToLower(name) {
	case EchoExtension, "*43", MusicExtension, "*97", BusyExtension, RingExtension:
		return true
	}
	return false
}

// handleRegister is the registrar (RFC 3261 §10.3) with digest auth.
func (p *PBX) handleRegister(req *sip.Request, tx sip.ServerTransaction) {
	aor := req.To().Address
	if aor.User == "" {
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	}
	if !strings.EqualFold(aor.Host, p.domain) && aor.Host != "127.0.0.1" {
		respond(tx, req, sip.StatusForbidden, "Forbidden")
		return
	}
	if !strings.EqualFold(req.Transport(), "TLS") {
		respond(tx, req, sip.StatusForbidden, "Forbidden")
		return
	}
	var authz string
	if h := req.GetHeader("Authorization"); h != nil {
		authz = h.Value()
	}
	user, res := p.auth.verify(authz, req.Method.String(), aor.User)
	switch res {
	case authOK:
	case authMissing, authStale:
		respond(tx, req, sip.StatusUnauthorized, "Unauthorized",
			sip.NewHeader("WWW-Authenticate", p.auth.challenge(res == authStale)))
		return
	case authMalformed:
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	default:
		p.log.Info("registration refused", "reason", res)
		respond(tx, req, sip.StatusForbidden, "Forbidden")
		return
	}

	contacts := req.GetHeaders("Contact")
	var contact *sip.ContactHeader
	if len(contacts) > 0 {
		c, ok := contacts[0].(*sip.ContactHeader)
		if !ok {
			respond(tx, req, sip.StatusBadRequest, "Bad Request")
			return
		}
		contact = c
	}
	exp, ok := expiresOf(req, contact)
	if !ok {
		respond(tx, req, sip.StatusBadRequest, "Bad Request")
		return
	}

	switch {
	case contact == nil:
		// A query: fall through and answer with the current binding.
	case contact.Address.Wildcard:
		// "Contact: *" needs Expires: 0 (RFC 3261 §10.3 step 6).
		if exp != 0 || len(contacts) != 1 {
			respond(tx, req, sip.StatusBadRequest, "Bad Request")
			return
		}
		p.unbind(user)
	case exp == 0:
		p.unbind(user)
	default:
		if exp < 0 {
			exp = p.cfg.MaxExpires
		}
		if exp < p.cfg.MinExpires {
			respond(tx, req, sip.StatusIntervalToBrief, "Interval Too Brief",
				sip.NewHeader("Min-Expires", strconv.Itoa(int(p.cfg.MinExpires/time.Second))))
			return
		}
		exp = min(exp, p.cfg.MaxExpires)
		if contact.Address.Scheme != "sip" && contact.Address.Scheme != "sips" {
			respond(tx, req, sip.StatusBadRequest, "Bad Request")
			return
		}
		p.mu.Lock()
		p.bindings[user] = &binding{
			contact: *contact.Address.Clone(),
			source:  req.Source(),
			callID:  req.CallID().Value(),
			expires: time.Now().Add(exp),
		}
		p.mu.Unlock()
		p.log.Info("registered", "user", user, "expires", exp)
	}

	ok200 := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	if b, ok := p.lookup(user); ok {
		c := &sip.ContactHeader{Address: b.contact, Params: sip.NewParams()}
		c.Params.Add("expires", strconv.Itoa(int(time.Until(b.expires).Round(time.Second)/time.Second)))
		ok200.AppendHeader(c)
	}
	ok200.AppendHeader(sip.NewHeader("Date", time.Now().UTC().Format(time.RFC1123)))
	_ = tx.Respond(ok200)
}

// unbind removes user's registration.
func (p *PBX) unbind(user string) {
	p.mu.Lock()
	_, had := p.bindings[user]
	delete(p.bindings, user)
	p.mu.Unlock()
	if had {
		p.log.Info("unregistered", "user", user)
	}
}

// lookup returns user's live registration. A registration whose time is up,
// or whose TLS flow has closed, is removed: the phone cannot be reached.
func (p *PBX) lookup(user string) (binding, bool) {
	p.mu.Lock()
	b, ok := p.bindings[user]
	p.mu.Unlock()
	if !ok {
		return binding{}, false
	}
	if time.Now().After(b.expires) || !p.flowAlive(b.source) {
		p.mu.Lock()
		if p.bindings[user] == b {
			delete(p.bindings, user)
		}
		p.mu.Unlock()
		return binding{}, false
	}
	return *b, true
}

// flowAlive reports whether the TLS connection from source is still open.
func (p *PBX) flowAlive(source string) bool {
	c, err := p.ua.TransportLayer().GetConnection("tls", source)
	if err != nil || c == nil {
		return false
	}
	// GetConnection takes a reference; give it back without closing.
	_, _ = c.TryClose()
	return true
}
