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
	req := sip.NewRequest(sip.MESSAGE, to)
	req.SetTransport(u.transport)
	req.SetDestination(u.cfg.Server)
	from := &sip.FromHeader{DisplayName: u.cfg.DisplayName, Address: u.aor(), Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: *to.Clone(), Params: sip.NewParams()})
	req.AppendHeader(sip.NewHeader("User-Agent", u.cfg.UserAgent))
	req.AppendHeader(sip.NewHeader("Content-Type", contentType))
	req.SetBody(body)
	authSent := false
	for {
		u.trace("send", req)
		res, err := u.client.Do(ctx, req)
		if err != nil {
			return fmt.Errorf("message: %w", classifyTransport(u.cfg.Server, err))
		}
		u.trace("recv", res)
		code := res.StatusCode
		if (code == 401 || code == 407) && !authSent {
			hname, cname := "WWW-Authenticate", "Authorization"
			if code == 407 {
				hname, cname = "Proxy-Authenticate", "Proxy-Authorization"
			}
			if h := res.GetHeader(hname); h != nil {
				v, err := authorize(h.Value(), "MESSAGE", req.Recipient.Addr(), u.cfg.AuthUser, u.cfg.Password, "")
				if err != nil {
					return err
				}
				next := req.Clone()
				next.RemoveHeader("Via")
				cseq := next.CSeq()
				if cseq != nil {
					cseq.SeqNo++
				}
				next.AppendHeader(sip.NewHeader(cname, v))
				req, authSent = next, true
				continue
			}
		}
		if res.IsSuccess() {
			return nil
		}
		return fmt.Errorf("message: %w", classifyStatus(code, res.Reason, authSent && (code == 401 || code == 407)))
	}
}
