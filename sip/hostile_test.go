package sip

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"softphone/internal/pki"
)

// fakeRegistrar is a TLS peer that accepts one REGISTER flow and then lets
// the test write raw bytes down it, like a hostile or broken server.
type fakeRegistrar struct {
	addr  string
	conns chan *tls.Conn
}

func newFakeRegistrar(t *testing.T) (*fakeRegistrar, *pki.CA) {
	t.Helper()
	ca, err := pki.NewCA("fake registrar CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf.TLS}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeRegistrar{addr: l.Addr().String(), conns: make(chan *tls.Conn, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		f.conns <- c.(*tls.Conn)
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return f, ca
}

// readMsg reads one SIP message (headers + Content-Length body).
func readMsg(r *bufio.Reader) (*sip.Request, *sip.Response, error) {
	var b strings.Builder
	n := 0
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return nil, nil, err
		}
		if b.Len() == 0 && strings.TrimSpace(line) == "" {
			continue // keep-alive CRLF
		}
		b.WriteString(line)
		if l := strings.ToLower(line); strings.HasPrefix(l, "content-length:") {
			fmt.Sscanf(strings.TrimSpace(line[len("content-length:"):]), "%d", &n)
		}
		if line == "\r\n" {
			break
		}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, nil, err
	}
	msg, err := sip.ParseMessage(append([]byte(b.String()), body...))
	if err != nil {
		return nil, nil, err
	}
	switch m := msg.(type) {
	case *sip.Request:
		return m, nil, nil
	case *sip.Response:
		return nil, m, nil
	}
	return nil, nil, fmt.Errorf("unknown message")
}

// TestHostileServerMessages registers with a fake server and then sends
// malformed and out-of-dialog requests down the flow. The UA must answer
// what can be answered, never panic, and stay usable.
func TestHostileServerMessages(t *testing.T) {
	f, ca := newFakeRegistrar(t)
	ua, err := New(Config{Server: f.addr, User: "alice", Password: "pw", Domain: "example.test", RootCAs: ca.Pool(), KeepAlive: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	ua.OnInvite(func(in *Incoming) { _ = in.Reject(486, "Busy Here") })

	regErr := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		regErr <- ua.Register(ctx)
	}()
	conn := <-f.conns
	defer conn.Close()
	r := bufio.NewReader(conn)
	req, _, err := readMsg(r)
	if err != nil || req.Method != sip.REGISTER {
		t.Fatalf("first message: %v %v", req, err)
	}
	ok := sip.NewResponseFromRequest(req, 200, "OK", nil)
	ok.AppendHeader(sip.NewHeader("Expires", "3600"))
	if _, err := conn.Write([]byte(ok.String())); err != nil {
		t.Fatal(err)
	}
	if err := <-regErr; err != nil {
		t.Fatalf("Register: %v", err)
	}
	contact, _ := ua.currentContact()
	ruri := contact.Address.String()

	send := func(raw string) {
		t.Helper()
		if _, err := conn.Write([]byte(raw)); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	expect := func(want int) *sip.Response {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		for {
			_, res, err := readMsg(r)
			if err != nil {
				t.Fatalf("waiting for %d: %v", want, err)
			}
			if res == nil || res.StatusCode == 100 {
				continue
			}
			if res.StatusCode != want {
				t.Fatalf("got %d %s, want %d", res.StatusCode, res.Reason, want)
			}
			return res
		}
	}
	hdr := func(method, extra string, cseq int, body string) string {
		return fmt.Sprintf("%s %s SIP/2.0\r\n"+
			"Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-%s-%d\r\n"+
			"From: <sip:mallory@example.test>;tag=m1\r\n"+
			"Call-ID: hostile-%d\r\n"+
			"CSeq: %d %s\r\n"+
			"Max-Forwards: 70\r\n"+
			"%s"+
			"Content-Length: %d\r\n\r\n%s", method, ruri, method, cseq, cseq, cseq, method, extra, len(body), body)
	}

	// In-dialog requests for dialogs that do not exist.
	send(hdr("BYE", "To: <sip:alice@example.test>;tag=nosuch\r\n", 1, ""))
	expect(481)
	send(hdr("INFO", "To: <sip:alice@example.test>;tag=nosuch\r\nContent-Type: application/dtmf-relay\r\n", 2, "Signal=5\r\n"))
	expect(481)
	send(hdr("INVITE", "To: <sip:alice@example.test>;tag=nosuch\r\nContact: <sip:m@127.0.0.1>\r\n", 3, ""))
	expect(481)
	send(hdr("NOTIFY", "To: <sip:alice@example.test>;tag=nosuch\r\nEvent: refer\r\n", 4, ""))
	expect(481)
	// An INVITE without Contact cannot start a dialog.
	send(hdr("INVITE", "To: <sip:alice@example.test>\r\n", 5, ""))
	expect(400)
	// An INVITE without a From tag.
	send(strings.Replace(hdr("INVITE", "To: <sip:alice@example.test>\r\nContact: <sip:m@127.0.0.1>\r\n", 6, ""), ";tag=m1", "", 1))
	expect(400)
	// Being transferred is declined; OPTIONS is answered.
	send(hdr("REFER", "To: <sip:alice@example.test>\r\nRefer-To: <sip:x@y>\r\n", 7, ""))
	expect(603)
	send(hdr("OPTIONS", "To: <sip:alice@example.test>\r\n", 8, ""))
	expect(200)
	// Missing CSeq: sipgo answers 400 statelessly.
	send(strings.Replace(hdr("OPTIONS", "To: <sip:alice@example.test>\r\n", 9, ""), "CSeq: 9 OPTIONS\r\n", "", 1))
	expect(400)
	// A well-formed INVITE still works afterwards: the OnInvite handler
	// rejects it busy.
	send(hdr("INVITE", "To: <sip:alice@example.test>\r\nContact: <sip:m@127.0.0.1>\r\nContent-Type: application/sdp\r\n", 10, "v=0\r\n"))
	busy := expect(486)
	// ACK the 486 (same branch, To tag from the response), RFC 3261 §17.1.1.3.
	toTag, _ := busy.To().Params.Get("tag")
	send(fmt.Sprintf("ACK %s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-INVITE-10\r\n"+
		"From: <sip:mallory@example.test>;tag=m1\r\nTo: <sip:alice@example.test>;tag=%s\r\nCall-ID: hostile-10\r\n"+
		"CSeq: 10 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", ruri, toTag))
	if s, _ := ua.State(); s != StateRegistered {
		t.Errorf("state after hostile input = %v", s)
	}

	// Now a call that is answered, and odd requests inside its dialog.
	dialogs := make(chan *Dialog, 1)
	ua.OnInvite(func(in *Incoming) {
		go func() {
			d, err := in.Answer(context.Background(), []byte("v=0\r\n"))
			if err == nil {
				dialogs <- d
			}
		}()
	})
	send(hdr("INVITE", "To: <sip:alice@example.test>\r\nContact: <sip:m@127.0.0.1:5061;transport=tls>\r\nContent-Type: application/sdp\r\n", 11, "v=0\r\n"))
	okRes := expect(200)
	tag, _ := okRes.To().Params.Get("tag")
	inDialog := func(method string, cseq int, extra, body string) string {
		return fmt.Sprintf("%s %s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-dlg-%s-%d\r\n"+
			"From: <sip:mallory@example.test>;tag=m1\r\nTo: <sip:alice@example.test>;tag=%s\r\nCall-ID: hostile-11\r\n"+
			"CSeq: %d %s\r\nMax-Forwards: 70\r\n%sContent-Length: %d\r\n\r\n%s",
			method, ruri, method, cseq, tag, cseq, method, extra, len(body), body)
	}
	send(inDialog("ACK", 11, "", ""))
	var d *Dialog
	select {
	case d = <-dialogs:
	case <-time.After(3 * time.Second):
		t.Fatal("Answer did not complete after the ACK")
	}
	digits := make(chan rune, 1)
	d.OnInfoDTMF(func(r rune) { digits <- r })
	send(inDialog("INFO", 12, "Content-Type: text/plain\r\n", "hello"))
	expect(415)
	send(inDialog("INFO", 13, "Content-Type: application/dtmf-relay\r\n", "Signal=Z\r\n"))
	expect(400)
	send(inDialog("INFO", 14, "", "")) // empty INFO: keep-alive
	expect(200)
	send(inDialog("INFO", 15, "Content-Type: Application/DTMF-Relay; charset=x\r\n", "Signal=7\r\nDuration=100\r\n"))
	expect(200)
	if r := <-digits; r != '7' {
		t.Errorf("DTMF %q, want 7", r)
	}
	// A re-INVITE without an OnReInvite handler is refused, the call stays.
	send(inDialog("INVITE", 16, "Contact: <sip:m@127.0.0.1:5061;transport=tls>\r\nContent-Type: application/sdp\r\n", "v=0\r\n"))
	expect(488)
	send(inDialog("BYE", 17, "", ""))
	expect(200)
	select {
	case <-d.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("dialog did not end on BYE")
	}
	if d.Reason() != ReasonRemoteHangup {
		t.Errorf("Reason = %q", d.Reason())
	}
	send(inDialog("BYE", 18, "", ""))
	expect(481)

	// Close un-REGISTERs: answer it and check it asked for Expires: 0.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	unreg := make(chan string, 1)
	go func() {
		for {
			req, _, err := readMsg(r)
			if err != nil {
				close(unreg)
				return
			}
			if req != nil && req.Method == sip.REGISTER {
				_, _ = conn.Write([]byte(sip.NewResponseFromRequest(req, 200, "OK", nil).String()))
				unreg <- req.GetHeader("Expires").Value()
				return
			}
		}
	}()
	if err := ua.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if exp := <-unreg; exp != "0" {
		t.Errorf("un-REGISTER Expires = %q, want 0", exp)
	}
}
