package sip

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"softphone/internal/pki"
)

func TestClassifyTransport(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantIs   error
		wantCert bool
		wantText string
	}{
		{"unknown authority", fmt.Errorf("TLS handshake error: %w", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), nil, true, "not trusted"},
		{"hostname", fmt.Errorf("TLS handshake error: %w", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "sip.example"}), nil, true, "hostname mismatch"},
		{"expired", x509.CertificateInvalidError{Reason: x509.Expired}, nil, true, "expired"},
		{"refused", fmt.Errorf("dial TCP error: %w", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), ErrUnreachable, false, "unreachable"},
		{"timeout", sip.ErrTransactionTimeout, ErrUnreachable, false, "unreachable"},
		{"deadline", context.DeadlineExceeded, ErrUnreachable, false, "unreachable"},
		{"canceled passes through", context.Canceled, context.Canceled, false, "canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classifyTransport("sip.example:5061", tt.err)
			var ce *CertificateError
			if got := errors.As(err, &ce); got != tt.wantCert {
				t.Fatalf("CertificateError = %v for %v", got, err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Fatalf("%v is not %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("message %q lacks %q", err, tt.wantText)
			}
		})
	}
	if classifyTransport("x", nil) != nil {
		t.Error("nil error classified as non-nil")
	}
}

func TestClassifyStatus(t *testing.T) {
	tests := []struct {
		code     int
		authSent bool
		wantAuth bool
	}{
		{401, true, true}, {403, true, true}, {407, true, true},
		{401, false, false}, {403, false, false}, {404, true, false}, {486, false, false}, {503, true, false},
	}
	for _, tt := range tests {
		err := classifyStatus(tt.code, "Reason", tt.authSent)
		if got := errors.Is(err, ErrAuthFailed); got != tt.wantAuth {
			t.Errorf("classifyStatus(%d, %v) = %v", tt.code, tt.authSent, err)
		}
		var se *StatusError
		if !tt.wantAuth && (!errors.As(err, &se) || se.Code != tt.code) {
			t.Errorf("classifyStatus(%d) = %v, want *StatusError", tt.code, err)
		}
	}
	if !(&StatusError{Code: 486}).Busy() || (&StatusError{Code: 480}).Busy() {
		t.Error("Busy() wrong")
	}
}

// tlsServer accepts TLS connections with the given certificate and closes
// them after the handshake: enough to exercise certificate checks.
func tlsServer(t *testing.T, leaf *pki.Leaf) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{leaf.TLS}, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return l.Addr().String()
}

// TestRegisterNoAnswer: a server that accepts TLS but never answers the
// REGISTER makes Register fail with ErrUnreachable when ctx expires.
func TestRegisterNoAnswer(t *testing.T) {
	f, ca := newFakeRegistrar(t)
	ua, err := New(Config{Server: f.addr, User: "alice", Password: "x", RootCAs: ca.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- ua.Register(ctx) }()
	conn := <-f.conns
	defer conn.Close()
	go func() { _, _ = io.Copy(io.Discard, conn) }()
	err = <-errc
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Register = %v, want ErrUnreachable wrapping the deadline", err)
	}
	conn.Close()
	_ = ua.Close()
}

func TestRegisterCertificateErrors(t *testing.T) {
	ca, err := pki.NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.NewCA("other CA")
	if err != nil {
		t.Fatal(err)
	}
	wrongName, err := ca.Issue("sip.example.org")
	if err != nil {
		t.Fatal(err)
	}
	right, err := ca.Issue("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	expired, expiredRoots := expiredLeaf(t, "127.0.0.1")
	tests := []struct {
		name    string
		leaf    *pki.Leaf
		roots   *x509.CertPool
		want    string
		problem CertProblem
	}{
		{"hostname mismatch", wrongName, ca.Pool(), "hostname mismatch", CertHostname},
		{"unknown CA", right, other.Pool(), "unknown authority", CertUnknownAuthority},
		{"expired", expired, expiredRoots, "expired", CertExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tlsServer(t, tt.leaf)
			ua, err := New(Config{Server: addr, User: "alice", Password: "x", RootCAs: tt.roots})
			if err != nil {
				t.Fatal(err)
			}
			defer ua.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = ua.Register(ctx)
			var ce *CertificateError
			if !errors.As(err, &ce) {
				t.Fatalf("Register = %v (%T), want *CertificateError", err, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "server certificate not trusted") || !strings.Contains(msg, tt.want) {
				t.Errorf("message %q lacks %q", msg, tt.want)
			}
			if ce.Problem() != tt.problem {
				t.Errorf("Problem() = %v, want %v", ce.Problem(), tt.problem)
			}
			if s, serr := ua.State(); s != StateUnregistered || serr == nil {
				t.Errorf("State() = %v, %v", s, serr)
			}
		})
	}
}
