package sip_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"softphone/internal/pki"
	"softphone/internal/testpeer"
	"softphone/sip"
)

// testLogger logs at debug level when SIP_TRACE is set, else warnings only.
func testLogger(t testing.TB) *slog.Logger {
	lvl := slog.LevelWarn
	if os.Getenv("SIP_TRACE") != "" {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
}

func uaConfig(t testing.TB, k *testpeer.Kamailio, user, password string) sip.Config {
	return sip.Config{
		Server:    k.Addr,
		User:      user,
		Password:  password,
		Domain:    k.Domain,
		RootCAs:   k.CAPool,
		Expires:   time.Minute,
		UserAgent: "softphone-test",
		Logger:    testLogger(t),
	}
}

func newUA(t testing.TB, cfg sip.Config) *sip.UA {
	t.Helper()
	ua, err := sip.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = ua.Close() })
	return ua
}

// stateLog records OnRegistration callbacks.
type stateLog struct {
	mu     sync.Mutex
	states []sip.State
	errs   []error
	ch     chan sip.State
}

func watchStates(ua *sip.UA) *stateLog {
	l := &stateLog{ch: make(chan sip.State, 64)}
	ua.OnRegistration(func(s sip.State, err error) {
		l.mu.Lock()
		l.states = append(l.states, s)
		l.errs = append(l.errs, err)
		l.mu.Unlock()
		select {
		case l.ch <- s:
		default:
		}
	})
	return l
}

func (l *stateLog) waitFor(t testing.TB, want sip.State, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case s := <-l.ch:
			if s == want {
				return
			}
		case <-deadline:
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Fatalf("state %v not reached within %v; saw %v (errors %v)", want, timeout, l.states, l.errs)
		}
	}
}

func TestRegisterKamailio(t *testing.T) {
	k := testpeer.StartKamailio(t, map[string]string{"alice": "alice-pw", "bob": "bob-pw"})

	t.Run("ok, refresh, unregister on close", func(t *testing.T) {
		cfg := uaConfig(t, k, "alice", "alice-pw")
		cfg.Expires = 3 * time.Second // refreshed at ~2 s
		ua := newUA(t, cfg)
		states := watchStates(ua)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := ua.Register(ctx); err != nil {
			t.Fatalf("Register: %v", err)
		}
		if !ua.Secure() {
			t.Error("Secure() = false over TLS")
		}
		contacts := k.Contacts(t, "alice")
		if len(contacts) != 1 || !strings.Contains(contacts[0], "transport=tls") {
			t.Fatalf("location table for alice = %v, want one TLS contact", contacts)
		}
		// Past the granted 3 s: only a refresh keeps the binding.
		time.Sleep(4 * time.Second)
		if got := k.Contacts(t, "alice"); len(got) != 1 {
			t.Fatalf("after 4 s with Expires 3 s the binding is %v; the refresh did not happen", got)
		}
		if n := strings.Count(k.Log(), "REQ REGISTER"); n < 4 { // 2 per registration (401 + auth)
			t.Errorf("kamailio saw %d REGISTERs, want ≥ 4 (initial + refresh)", n)
		}
		if s, err := ua.State(); s != sip.StateRegistered || err != nil {
			t.Errorf("State() = %v, %v", s, err)
		}
		if err := ua.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := ua.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		if got := k.Contacts(t, "alice"); len(got) != 0 {
			t.Fatalf("after Close the location table still has %v", got)
		}
		states.waitFor(t, sip.StateClosed, time.Second)
		// And a call to alice now finds no one.
		bob := newUA(t, uaConfig(t, k, "bob", "bob-pw"))
		if err := bob.Register(ctx); err != nil {
			t.Fatal(err)
		}
		_, err := bob.Dial(ctx, "sip:alice@"+k.Domain, testOffer(t, rtpPort(t), "sendrecv"), nil)
		var se *sip.StatusError
		if !errors.As(err, &se) || se.Code != 404 {
			t.Fatalf("Dial unregistered alice = %v, want 404", err)
		}
	})

	for _, tr := range []struct{ name, addr string }{{"tcp", k.TCPAddr}, {"udp", k.UDPAddr}} {
		t.Run("plain "+tr.name, func(t *testing.T) {
			cfg := uaConfig(t, k, "bob", "bob-pw")
			cfg.Transport, cfg.Server, cfg.RootCAs = tr.name, tr.addr, nil
			ua := newUA(t, cfg)
			if ua.Secure() {
				t.Error("Secure() = true without TLS")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := ua.Register(ctx); err != nil {
				t.Fatalf("Register over %s: %v", tr.name, err)
			}
			cs := k.Contacts(t, "bob")
			if len(cs) != 1 || !strings.Contains(cs[0], "transport="+tr.name) {
				t.Fatalf("contacts %v, want one with transport=%s", cs, tr.name)
			}
			if err := ua.Close(); err != nil {
				t.Fatal(err)
			}
			if cs := k.Contacts(t, "bob"); len(cs) != 0 {
				t.Fatalf("contacts after Close: %v", cs)
			}
		})
	}

	t.Run("wrong password", func(t *testing.T) {
		ua := newUA(t, uaConfig(t, k, "bob", "not-bobs-password"))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := ua.Register(ctx)
		if !errors.Is(err, sip.ErrAuthFailed) {
			t.Fatalf("Register = %v, want ErrAuthFailed", err)
		}
		if !strings.Contains(err.Error(), "wrong user name or password") {
			t.Errorf("message %q does not tell the user what is wrong", err)
		}
	})

	t.Run("unknown CA", func(t *testing.T) {
		other, err := pki.NewCA("some other CA")
		if err != nil {
			t.Fatal(err)
		}
		cfg := uaConfig(t, k, "alice", "alice-pw")
		cfg.RootCAs = other.Pool()
		ua := newUA(t, cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = ua.Register(ctx)
		var ce *sip.CertificateError
		if !errors.As(err, &ce) {
			t.Fatalf("Register = %v (%T), want *CertificateError", err, err)
		}
		if !strings.Contains(err.Error(), "not trusted") {
			t.Errorf("message %q does not say the certificate is not trusted", err)
		}
	})

	t.Run("unreachable", func(t *testing.T) {
		cfg := uaConfig(t, k, "alice", "alice-pw")
		cfg.Server = "127.0.0.1:" + strconv.Itoa(testpeer.FreePort(t))
		ua := newUA(t, cfg)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := ua.Register(ctx)
		if !errors.Is(err, sip.ErrUnreachable) {
			t.Fatalf("Register = %v, want ErrUnreachable", err)
		}
	})
}
