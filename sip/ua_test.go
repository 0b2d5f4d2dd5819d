package sip

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func TestConfigDefaults(t *testing.T) {
	c, err := Config{Server: "pbx.example.com", User: "100"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if c.Transport != "tls" || c.Server != "pbx.example.com:5061" || c.Domain != "pbx.example.com" ||
		c.AuthUser != "100" || c.Expires != defaultExpires || c.KeepAlive != defaultKeepAlive || c.Logger == nil {
		t.Errorf("defaults: %+v", c)
	}
	c, err = Config{Server: "10.0.0.1", User: "100", Transport: "UDP"}.withDefaults()
	if err != nil || c.Server != "10.0.0.1:5060" || c.Transport != "udp" {
		t.Errorf("udp defaults: %+v %v", c, err)
	}
	for name, bad := range map[string]Config{
		"no server":      {User: "a"},
		"no user":        {Server: "x:5061"},
		"bad transport":  {Server: "x:5061", User: "a", Transport: "sctp"},
		"bad port":       {Server: "x:99999", User: "a"},
		"user with @":    {Server: "x:5061", User: "a@b"},
		"empty host":     {Server: ":5061", User: "a"},
		"user with CRLF": {Server: "x:5061", User: "a\r\nVia: x"},
	} {
		if _, err := New(bad); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: New = %v, want ErrConfig", name, err)
		}
	}
}

func TestSecure(t *testing.T) {
	for tr, want := range map[string]bool{"": true, "tls": true, "tcp": false, "udp": false} {
		ua, err := New(Config{Server: "127.0.0.1:5061", User: "a", Transport: tr})
		if err != nil {
			t.Fatal(err)
		}
		if ua.Secure() != want {
			t.Errorf("transport %q: Secure = %v", tr, ua.Secure())
		}
		if err := ua.Close(); err != nil {
			t.Errorf("Close of an unregistered UA: %v", err)
		}
	}
}

func TestTargetURI(t *testing.T) {
	ua, err := New(Config{Server: "127.0.0.1:5061", User: "a", Domain: "pbx.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	// phone.TargetURI makes the URI; sip only validates it.
	for _, ok := range []string{"sip:+4930123456@pbx.example.com", "sip:carol@x.example;transport=tls", "sips:bob@y.example"} {
		u, err := ua.targetURI(ok)
		if err != nil || u.String() != ok {
			t.Errorf("targetURI(%q) = %v, %v; want it unchanged", ok, u.String(), err)
		}
	}
	for _, bad := range []string{"", "bob", "200", "bob@other.example", " sip:a@b", "sip:a b@c", "<sip:x@y>", "sip:x@y\r\nVia: y", "sip:@", "tel:+4930123456"} {
		if _, err := ua.targetURI(bad); err == nil {
			t.Errorf("targetURI(%q) accepted", bad)
		}
	}
}

func TestGrantedExpiry(t *testing.T) {
	ours := &sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "alice", Host: "127.0.0.1", Port: 5555}}
	mk := func(hdrs ...string) *sip.Response {
		raw := "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1:5555;branch=z9hG4bK.1\r\nFrom: <sip:alice@x>;tag=1\r\nTo: <sip:alice@x>;tag=2\r\nCall-ID: c\r\nCSeq: 2 REGISTER\r\n" +
			strings.Join(hdrs, "") + "Content-Length: 0\r\n\r\n"
		msg, err := sip.ParseMessage([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return msg.(*sip.Response)
	}
	tests := []struct {
		name string
		res  *sip.Response
		want time.Duration
	}{
		{"contact param", mk("Contact: <sip:other@10.0.0.1:5060>;expires=999, <sip:alice@127.0.0.1:5555;transport=tls>;expires=42\r\n", "Expires: 77\r\n"), 42 * time.Second},
		{"expires header", mk("Expires: 77\r\n"), 77 * time.Second},
		{"nothing", mk(), time.Minute},
	}
	for _, tt := range tests {
		if got := grantedExpiry(tt.res, ours, time.Minute); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRefreshAndBackoff(t *testing.T) {
	for g, want := range map[time.Duration]time.Duration{
		time.Hour:        48 * time.Minute,
		60 * time.Second: 48 * time.Second,
		3 * time.Second:  2 * time.Second,
		time.Second:      800 * time.Millisecond,
	} {
		if got := refreshAfter(g); got != want {
			t.Errorf("refreshAfter(%v) = %v, want %v", g, got, want)
		}
	}
	for n, base := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		b := backoff(n, time.Minute)
		if b < base*9/10 || b > base*11/10 {
			t.Errorf("backoff(%d) = %v, want %v ±10%%", n, b, base)
		}
	}
	if b := backoff(30, time.Minute); b > 66*time.Second || b < 54*time.Second {
		t.Errorf("backoff(30) = %v, want capped near 1 min", b)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{
		StateUnregistered: "unregistered", StateRegistering: "registering", StateRegistered: "registered",
		StateRetrying: "retrying", StateClosed: "closed", State(99): "unknown",
	} {
		if s.String() != want {
			t.Errorf("%d: %q", s, s.String())
		}
	}
}

func TestRedact(t *testing.T) {
	msg := "INVITE sip:bob@x SIP/2.0\r\nProxy-Authorization: Digest username=\"alice\", response=\"0123abcd\", cnonce=\"ff\"\r\n\r\n" +
		"v=0\r\nm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:32\r\n" +
		"a=crypto:2 AEAD_AES_128_GCM inline:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\r\na=sendrecv\r\n" +
		"A=CRYPTO:x inline:bGVha2Vka2V5bGVha2Vka2V5\ra=crypto:3 inline:bm90YXN1aXRlbm90YXN1aXRl\r\n"
	got := redactMessage(msg)
	for _, secret := range []string{"WVNfX19zZW1jdGwg", "c2VjcmV0c2Vj", "0123abcd", "bGVha2Vka2V5", "bm90YXN1aXRl"} {
		if strings.Contains(got, secret) {
			t.Errorf("redacted trace still has %q:\n%s", secret, got)
		}
	}
	for _, keep := range []string{"a=crypto:1 AES_CM_128_HMAC_SHA1_80 [REDACTED]\r\n", "a=crypto:2 AEAD_AES_128_GCM [REDACTED]\r\n", "a=crypto:[REDACTED]\r", "a=crypto:2 AEAD_AES_128_GCM", "a=sendrecv", `username="alice"`} {
		if !strings.Contains(got, keep) {
			t.Errorf("redacted trace lost %q:\n%s", keep, got)
		}
	}
}

func TestMaskedURI(t *testing.T) {
	for in, want := range map[string]string{
		"sip:+4930123456@pbx.example.com;transport=tls": "sip:…456@pbx.example.com",
		"+4930123456": "…456",
		"sip:bob@x":   "sip:…@x",
		"":            "",
	} {
		if got := maskedURI(in).LogValue().String(); got != want {
			t.Errorf("mask %q = %q, want %q", in, got, want)
		}
	}
	var _ slog.LogValuer = maskedURI("")
}
