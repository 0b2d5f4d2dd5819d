package phone

import (
	"context"
	"fmt"
	"testing"
	"time"

	"softphone/internal/pki"
	"softphone/internal/testpeer"
)

// Every way a registration fails reaches the agent typed: WaitRegistered
// returns the reason (not "registration stopped") and the snapshot carries
// the cause, against a real Kamailio.
func TestRegistrationFailureCauses(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw"})
	wrongName := testpeer.StartKamailioWith(t, map[string]string{"1000": "agentpw"},
		testpeer.KamailioOptions{CertHosts: []string{"sip.example.org"}})
	other, err := pki.NewCA("someone else")
	if err != nil {
		t.Fatal(err)
	}
	closed := fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t))
	for _, tc := range []struct {
		name     string
		k        *testpeer.Kamailio
		mutate   func(*Config)
		password string
		want     RegCause
	}{
		{"unknown CA", k, func(c *Config) { c.RootCAs = other.Pool() }, "agentpw", RegCauseCertUntrusted},
		{"wrong host name", wrongName, nil, "agentpw", RegCauseCertHostname},
		{"wrong password", k, nil, "wrong", RegCauseAuth},
		{"connection refused", k, func(c *Config) { c.Settings.Account.Server = closed }, "agentpw", RegCauseUnreachable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAgent(t, tc.k, "1000", tc.mutate, nil)
			ev := watchAgent(t, a)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			go a.Register(ctx, tc.password)
			err := a.WaitRegistered(ctx)
			if err == nil || err.Error() == "registration stopped" {
				t.Fatalf("WaitRegistered = %v, want the reason", err)
			}
			if got := regCauseOf(err); got != tc.want {
				t.Fatalf("WaitRegistered = %v (cause %v), want cause %v", err, got, tc.want)
			}
			ev.waitFor(t, "failed registration event", 5*time.Second, func(e Event) bool {
				r, ok := e.(RegistrationChanged)
				return ok && r.Registration.State == RegFailed && r.Registration.Cause == tc.want && r.Registration.Reason != ""
			})
			if s := a.Snapshot().Registration; s.Cause != tc.want {
				t.Fatalf("snapshot registration = %+v, want cause %v", s, tc.want)
			}
		})
	}
}

// After the registrar restarts (the TLS flow is lost), the agent says
// registered again: a RegistrationChanged{Registered} follows the failure.
func TestReRegistrationAfterKamailioRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "agentpw"})
	a := newAgent(t, k, "1000", nil, nil)
	ev := watchAgent(t, a)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.Register(ctx, "agentpw"); err != nil {
		t.Fatal(err)
	}
	registered := func(e Event) bool {
		r, ok := e.(RegistrationChanged)
		return ok && r.Registration.State == RegRegistered
	}
	// Events reach the log asynchronously: mark only once the last one is in.
	ev.waitFor(t, "registered", 5*time.Second, registered)
	for round := 1; round <= 2; round++ {
		mark := ev.mark()
		k.Restart(t)
		ev.waitAfter(mark, t, "registration lost", 15*time.Second, func(e Event) bool {
			r, ok := e.(RegistrationChanged)
			return ok && r.Registration.State == RegFailed && r.Registration.Cause != RegCauseNone
		})
		ev.waitAfter(mark, t, "registered again", 30*time.Second, registered)
		if got := k.Contacts(t, "1000"); len(got) == 0 {
			t.Fatalf("round %d: Kamailio has no contact for 1000 after re-registration", round)
		}
	}
}
