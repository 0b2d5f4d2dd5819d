package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/internal/testpeer"
)

// outWatch collects stdout so a test can wait for a line.
type outWatch struct {
	mu   sync.Mutex
	buf  strings.Builder
	wake chan struct{}
}

func (w *outWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
	return len(p), nil
}

// wait blocks until stdout has n occurrences of s.
func (w *outWatch) wait(t *testing.T, s string, n int, timeout time.Duration) {
	t.Helper()
	w.until(t, fmt.Sprintf("%q %d times", s, n), func(out string) bool { return strings.Count(out, s) >= n }, timeout)
}

// waitLine blocks until stdout has a line that contains every one of subs.
func (w *outWatch) waitLine(t *testing.T, timeout time.Duration, subs ...string) {
	t.Helper()
	w.until(t, fmt.Sprintf("a line with %q", subs), func(out string) bool {
		for _, l := range strings.Split(out, "\n") {
			if containsAll(l, subs) {
				return true
			}
		}
		return false
	}, timeout)
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// until blocks until done(stdout) holds, or reports what did not show.
func (w *outWatch) until(t *testing.T, what string, done func(string) bool, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		w.mu.Lock()
		ok := done(w.buf.String())
		w.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-w.wake:
		case <-deadline:
			t.Errorf("stdout did not show %s within %v", what, timeout)
			return
		}
	}
}

// The headless stdin "state" command: not ready refuses baresip's call
// with 486, available takes the next one; each change is an agent_state
// event, and after the answered call the agent is in after-call work.
func TestHeadlessAgentStateCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	fmt.Fprintf(f, "\n[workday]\nnot_ready_reasons = [\"break\", \"training\"]\nafter_call_work = \"30s\"\nrefuse_with = \"busy\"\n")
	f.Close()
	next := enrolledAgent(t, c, "sip-secret-1000")

	pr, pw := io.Pipe()
	out := &outWatch{wake: make(chan struct{}, 1)}
	go func() {
		defer pw.Close()
		out.wait(t, `"event":"registered"`, 1, 30*time.Second)
		io.WriteString(pw, `{"command":"state","state":"not_ready","reason":"lunch"}`+"\n")
		io.WriteString(pw, `{"command":"state","state":"not_ready","reason":"break"}`+"\n")
		out.wait(t, `"state":"not_ready"`, 1, 10*time.Second)
		b.Dial(t, "sip:1000@"+k.Domain)
		closed := b.WaitEvent(t, "CALL_CLOSED", 15*time.Second)
		if !strings.Contains(closed.Param, "486") {
			t.Errorf("baresip's call closed with %q, want 486", closed.Param)
		}
		io.WriteString(pw, `{"command":"state","state":"available"}`+"\n")
		out.wait(t, `"state":"available"`, 2, 10*time.Second)
		b.Dial(t, "sip:1000@"+k.Domain)
		b.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
		time.Sleep(time.Second)
		b.Hangup(t)
	}()
	code, evs, all := c.runWatch(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
		pr, out, "answer", "--audio", "null")
	require.Equal(t, exitOK, code, all)
	var states []string
	for _, e := range eventsNamed(evs, "agent_state") {
		states = append(states, e["state"].(string))
	}
	require.Equal(t, []string{"available", "not_ready", "available"}, states[:3], all)
	errs := eventsNamed(evs, "error")
	require.NotEmpty(t, errs, all)
	require.Equal(t, "state", errs[0]["command"], all)
	require.Contains(t, errs[0]["error"], "reason", all)
	require.Len(t, eventsNamed(evs, "call_ended"), 1, all)
	// The refused call is a missed call; its number is redacted.
	missed := eventsNamed(evs, "missed_calls")
	require.NotEmpty(t, missed, all)
	calls := missed[0]["calls"].([]any)
	require.Len(t, calls, 1, all)
	first := calls[0].(map[string]any)
	require.Equal(t, true, first["not_available"], all)
	require.NotEqual(t, "2000", first["number"], all)
}

// A supervisor stores their signing key in the profile's vault.
func TestSupervisorKeyStoredInVault(t *testing.T) {
	c := newAuthCLI(t)
	_, spare := enrolledAgentRecovery(t, c, "sip-secret")
	seed := base64.StdEncoding.EncodeToString(make([]byte, ed25519.SeedSize))
	code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery",
		"SOFTPHONE_TOTP": spare[0], "SOFTPHONE_SECRET": seed}, "", "secret", "set", "supervisor-key")
	require.Equal(t, exitOK, code, out)
	require.Equal(t, "supervisor-key", evs[len(evs)-1]["name"], out)
}

// Attended transfer from the headless command: consult the expert while
// the customer waits, then connect them; our call ends "transferred".
func TestHeadlessAttendedTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "custpw", "3000": "exppw"})
	testpeer.StartBaresip(t, k, "2000", "custpw", testpeer.BaresipOptions{AutoAnswer: true})
	expert := testpeer.StartBaresip(t, k, "3000", "exppw", testpeer.BaresipOptions{AutoAnswer: true})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	next := enrolledAgent(t, c, "sip-secret-1000")

	pr, pw := io.Pipe()
	out := &outWatch{wake: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer pw.Close()
		out.wait(t, `"state":"active"`, 1, 30*time.Second)
		io.WriteString(pw, `{"command":"transfer_complete"}`+"\n") // nothing to complete yet
		io.WriteString(pw, `{"command":"consult","target":"3000"}`+"\n")
		// The consultation is reported as a call of its own, naming the customer's call:
		// once it is active, the expert has answered and the transfer can complete.
		out.waitLine(t, 15*time.Second, `"event":"call_state"`, `"consult_for":"`, `"state":"active"`)
		io.WriteString(pw, `{"command":"transfer_complete"}`+"\n")
	}()
	code, evs, all := c.runWatch(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
		pr, out, "call", "sip:2000@localhost", "--audio", "null", "--duration", "20s")
	require.Equal(t, exitOK, code, all)
	errs := eventsNamed(evs, "error")
	require.Len(t, errs, 1, all)
	require.Contains(t, errs[0]["error"], "no consultation", all)
	ended := eventsNamed(evs, "call_ended")
	require.Len(t, ended, 1, all)
	require.Equal(t, "transferred", ended[0]["reason"], all)
	customer := ended[0]["call_id"]
	var consults []map[string]any
	for _, e := range eventsNamed(evs, "call_state") {
		if e["consult_for"] != nil {
			require.Equal(t, customer, e["consult_for"], all)
			require.NotEqual(t, customer, e["call_id"], all)
			consults = append(consults, e)
		} else {
			require.Equal(t, customer, e["call_id"], all) // no other call is reported
		}
	}
	require.NotEmpty(t, consults, all)
	require.Equal(t, "active", consults[len(consults)-1]["state"], all)
	require.Equal(t, true, consults[len(consults)-1]["encrypted"], all)
	<-done
	// The expert took the agent's consultation, then the customer, who followed the REFER.
	consulted := expert.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	require.Contains(t, consulted.PeerURI, "1000", all)
	in := expert.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	require.Contains(t, in.PeerURI, "2000", all)
}
