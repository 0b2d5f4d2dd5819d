package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/internal/testpeer"
)

// A headless command that cannot register prints the typed cause, not
// only "registration stopped".
func TestHeadlessRegistrationFailureHasCause(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000"})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	next := enrolledAgent(t, c, "sip-secret-1000")
	code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery",
		"SOFTPHONE_TOTP": next, "SOFTPHONE_SIP_PASSWORD": "not-the-password"}, "", "answer", "--audio", "null")
	require.Equal(t, exitRegistration, code, out)
	regs := eventsNamed(evs, "registration")
	require.NotEmpty(t, regs, out)
	require.Equal(t, "failed", regs[0]["state"], out)
	require.Equal(t, "wrong_password", regs[0]["cause"], out)
	require.Contains(t, regs[0]["reason"], "password", out)
	errs := eventsNamed(evs, "error")
	require.NotEmpty(t, errs, out)
	require.NotEqual(t, "registration stopped", errs[0]["error"], out)
}

// When the registrar restarts during a call, the headless output says so
// and then says "registered" again.
func TestHeadlessReRegisteredEventAfterKamailioRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
	testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	next := enrolledAgent(t, c, "sip-secret-1000")

	active := &lineWatch{want: `"state":"active"`, seen: make(chan struct{})}
	restarted := make(chan struct{})
	go func() {
		defer close(restarted)
		select {
		case <-active.seen:
			k.Restart(t)
		case <-time.After(30 * time.Second):
		}
	}()
	code, evs, out := c.runWatch(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
		nil, active, "call", "sip:2000@localhost", "--duration", "8s", "--audio", "null")
	<-restarted
	require.Equal(t, exitOK, code, out)
	regs := eventsNamed(evs, "registration")
	require.NotEmpty(t, regs, out)
	require.Equal(t, "connection_lost", regs[0]["cause"], out)
	again := eventsNamed(evs, "registered")
	require.Len(t, again, 2, "want the first registration and the one after the restart:\n%s", out)
	require.Equal(t, true, again[1]["again"], out)
}
