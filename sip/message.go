package sip

import (
	"context"
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// maxMessageBody bounds an incoming MESSAGE body; larger ones get 413.
const maxMessageBody = 4096

// Message is an incoming SIP MESSAGE (RFC 3428).
type Message struct {
	From        string // the sender's URI as the proxy delivered it
	FromUser    string // its user part
	ContentType string
	Body        []byte
}

// OnMessage sets the callback for incoming MESSAGE requests; it returns
// the status to answer (200 accepted, 4xx refused). Without a callback
// MESSAGE is answered 405.
func (u *UA) OnMessage(f func(Message) int) {
	u.mu.Lock()
	u.onMessage = f
	u.mu.Unlock()
}

func (u *UA) handleMessage(req *sip.Request, tx sip.ServerTransaction) {
	u.trace("recv", req)
	u.mu.Lock()
	f := u.onMessage
	u.mu.Unlock()
	if f == nil {
		u.respond(tx, req, 405, "Method Not Allowed", nil, sip.NewHeader("Allow", allowed))
		return
	}
	if len(req.Body()) > maxMessageBody {
		u.respond(tx, req, 413, "Request Entity Too Large", nil)
		return
	}
	m := Message{Body: append([]byte(nil), req.Body()...)}
	if from := req.From(); from != nil {
		m.From, m.FromUser = from.Address.String(), from.Address.User
	}
	if ct := req.ContentType(); ct != nil {
		m.ContentType = strings.TrimSpace(ct.Value())
	}
	code := f(m)
	reason := "OK"
	if code >= 300 {
		reason = "Refused"
	}
	u.respond(tx, req, code, reason, nil)
}

// SendMessage sends a MESSAGE (RFC 3428) to target through the server,
// answering one digest challenge. It returns nil once the far end accepts
// it (2xx); a refusal is a *StatusError.
func (u *UA) SendMessage(ctx context.Context, target, contentType string, body []byte) error {
	to, err := u.targetURI(target)
	if err != nil {
		return err
	}
	if _, ok := u.currentContact(); !ok {
		return ErrNotRegistered
	}
	req := u.outOfDialog(sip.MESSAGE, to)
	req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	req.SetBody(body)
	res, err := u.doAuth(ctx, req)
	if err != nil {
		return fmt.Errorf("message: %w", err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("message: %w", &StatusError{Code: res.StatusCode, Reason: res.Reason})
	}
	return nil
}

// outOfDialog builds a request to target from our address of record.
func (u *UA) outOfDialog(method sip.RequestMethod, to sip.Uri) *sip.Request {
	req := sip.NewRequest(method, to)
	req.SetTransport(u.transport)
	req.SetDestination(u.serverAddr())
	from := &sip.FromHeader{DisplayName: u.cfg.DisplayName, Address: u.aor(), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: *to.Clone(), Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("User-Agent", u.cfg.UserAgent))
	return req
}

// doAuth sends an out-of-dialog request and answers one digest challenge;
// a second challenge is ErrAuthFailed. It returns the final response.
func (u *UA) doAuth(ctx context.Context, req *sip.Request) (*sip.Response, error) {
	authSent := false
	for {
		u.trace("send", req)
		res, err := u.client.Do(ctx, req)
		if err != nil {
			return nil, classifyTransport(u.serverAddr(), err)
		}
		u.trace("recv", res)
		code := res.StatusCode
		if code != 401 && code != 407 {
			return res, nil
		}
		if authSent {
			return nil, ErrAuthFailed
		}
		hname, cname := "WWW-Authenticate", "Authorization"
		if code == 407 {
			hname, cname = "Proxy-Authenticate", "Proxy-Authorization"
		}
		h := res.GetHeader(hname)
		if h == nil {
			return res, nil
		}
		v, err := authorize(h.Value(), req.Method.String(), req.Recipient.Addr(), u.cfg.AuthUser, u.cfg.Password, "")
		if err != nil {
			return nil, err
		}
		next := req.Clone()
		next.RemoveHeader("Via")
		if cseq := next.CSeq(); cseq != nil {
			cseq.SeqNo++
		}
		next.AppendHeader(sip.NewHeader(cname, v))
		req, authSent = next, true
	}
}
