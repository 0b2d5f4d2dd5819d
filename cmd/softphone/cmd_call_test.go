package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/audio/device"
	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

// enrolledAgent makes the admin profile "agent1" in c's profile store,
// enrols it, stores sipPassword in its vault and returns a TOTP code for
// the next login (the current step is spent by the enrolment).
func enrolledAgent(t *testing.T, c *authCLI, sipPassword string) (next string) {
	next, _ = enrolledAgentRecovery(t, c, sipPassword)
	return next
}

// enrolledAgentRecovery is enrolledAgent that also returns the unused
// recovery codes, for further logins in the same TOTP step.
func enrolledAgentRecovery(t *testing.T, c *authCLI, sipPassword string) (next string, spare []string) {
	t.Helper()
	pw := map[string]string{"SOFTPHONE_PASSWORD": "correct horse battery"}
	code, _, out := c.run(pw, "", "profile", "add", "agent1", "--role", "admin")
	require.Equal(t, exitOK, code, out)
	code, evs, out := c.run(pw, "", "enroll", "agent1")
	require.Equal(t, exitOK, code, out)
	secret := evs[len(evs)-1]["secret"].(string)
	now := time.Now()
	code, evs, out = c.run(map[string]string{"SOFTPHONE_PASSWORD": pw["SOFTPHONE_PASSWORD"], "SOFTPHONE_TOTP": stepCode(t, secret, now, 0)}, "", "enroll", "agent1", "--confirm")
	require.Equal(t, exitOK, code, out)
	recovery := evs[len(evs)-1]["recovery_codes"].([]any)
	// A code is accepted once: store the SIP password with a recovery code.
	code, evs, out = c.run(map[string]string{
		"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": pw["SOFTPHONE_PASSWORD"],
		"SOFTPHONE_TOTP": recovery[0].(string), "SOFTPHONE_SECRET": sipPassword,
	}, "", "secret", "set", "sip-password")
	require.Equal(t, exitOK, code, out)
	require.Equal(t, "secret_stored", evs[len(evs)-1]["event"], out)
	for _, r := range recovery[1:] {
		spare = append(spare, r.(string))
	}
	return stepCode(t, secret, now, 1), spare
}

// addEnrolledProfile adds and enrols a profile (password "NAME password
// 123") with an admin's credentials; it returns the recovery codes.
func addEnrolledProfile(t *testing.T, c *authCLI, admin map[string]string, name, role string) []string {
	t.Helper()
	pw := name + " password 123"
	code, _, out := c.run(admin, pw+"\n", "profile", "add", name, "--role", role)
	require.Equal(t, exitOK, code, out)
	code, evs, out := c.run(map[string]string{"SOFTPHONE_PASSWORD": pw}, "", "enroll", name)
	require.Equal(t, exitOK, code, out)
	secret := evs[len(evs)-1]["secret"].(string)
	code, evs, out = c.run(map[string]string{"SOFTPHONE_PASSWORD": pw, "SOFTPHONE_TOTP": stepCode(t, secret, time.Now(), 0)}, "", "enroll", name, "--confirm")
	require.Equal(t, exitOK, code, out)
	var rec []string
	for _, r := range evs[len(evs)-1]["recovery_codes"].([]any) {
		rec = append(rec, r.(string))
	}
	return rec
}

func writeAccount(t *testing.T, c *authCLI, k *testpeer.Kamailio, user string) {
	t.Helper()
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	defer f.Close()
	fmt.Fprintf(f, "\n[account]\nserver = %q\nuser = %q\ndomain = %q\nca_file = %q\nexpires = \"60s\"\n\n[media]\nlocal_ip = \"127.0.0.1\"\n",
		k.Addr, user, k.Domain, k.CAFile)
}

func eventsNamed(evs []map[string]any, name string) []map[string]any {
	var out []map[string]any
	for _, e := range evs {
		if e["event"] == name {
			out = append(out, e)
		}
	}
	return out
}

// TestHeadlessCallToBaresip runs `softphone call` in-process: 2FA login,
// SIP-TLS registration at Kamailio, an SRTP call to baresip with a WAV
// file played and the far end's tone recorded, DTMF sent, hangup after a
// duration. It checks the JSON events and the recorded frequency.
func TestHeadlessCallToBaresip(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	next := enrolledAgent(t, c, "sip-secret-1000")

	dir := t.TempDir()
	play := filepath.Join(dir, "play.wav")
	writeToneWAV(t, play, 1000, 3*time.Second)
	rec := filepath.Join(dir, "rec.wav")

	code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
		"", "call", "sip:2000@localhost", "--duration", "3s", "--play", play, "--record", rec, "--dtmf", "42")
	require.Equal(t, exitOK, code, out)
	require.NotEmpty(t, eventsNamed(evs, "logged_in"), out)
	require.NotEmpty(t, eventsNamed(evs, "registered"), out)
	var active map[string]any
	for _, e := range eventsNamed(evs, "call_state") {
		if e["state"] == "active" {
			active = e
		}
	}
	require.NotNil(t, active, out)
	require.NotEmpty(t, active["srtp"], "call not encrypted: %v", active)
	require.Contains(t, []any{"PCMA", "PCMU"}, active["codec"])
	stats := eventsNamed(evs, "call_stats")
	require.NotEmpty(t, stats, out)
	last := stats[len(stats)-1]
	require.Greater(t, last["packets_received"].(float64), 50.0, "stats %v", last)
	require.Greater(t, last["packets_sent"].(float64), 50.0, "stats %v", last)
	ended := eventsNamed(evs, "call_ended")
	require.Len(t, ended, 1, out)
	require.GreaterOrEqual(t, ended[0]["duration_s"].(float64), 2.5)

	f, err := os.Open(rec)
	require.NoError(t, err)
	defer f.Close()
	pcm, _, err := device.DecodeWAV(f)
	require.NoError(t, err)
	require.Greater(t, len(pcm), 16000, "recorded only %d samples", len(pcm))
	got := tone.DominantFrequency(pcm[len(pcm)/2:], 8000)
	require.InDelta(t, 440, got, 15, "recorded tone")

	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(b.ReceivedDTMF(), "42") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	require.Contains(t, b.ReceivedDTMF(), "42")
}

// TestHeadlessCallRefusesWrongCode checks that a headless call without a
// valid second factor never registers.
func TestHeadlessCallRefusesWrongCode(t *testing.T) {
	c := newAuthCLI(t)
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	fmt.Fprintf(f, "\n[account]\nserver = \"127.0.0.1:9\"\nuser = \"1000\"\ndomain = \"localhost\"\n")
	f.Close()
	enrolledAgent(t, c, "x")
	code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": "000000"},
		"", "call", "sip:2000@localhost")
	require.Equal(t, exitLoginRefused, code, out)
	require.NotEmpty(t, eventsNamed(evs, "login_failed"), out)
	require.Empty(t, eventsNamed(evs, "registered"), out)
}

func writeToneWAV(t *testing.T, path string, hz float64, d time.Duration) {
	t.Helper()
	w, err := device.CreateWAV(path)
	require.NoError(t, err)
	src := tone.NewSine(hz, 8000, 8000)
	frame := make([]int16, 160)
	for i := 0; i < int(d/(20*time.Millisecond)); i++ {
		src.Read(frame)
		require.NoError(t, w.Write(frame))
	}
	require.NoError(t, w.Close())
}

// TestHeadlessRecordedCall records a headless call (policy on, encrypted to
// a key made here), pauses it from stdin, and checks the recording_state
// events, the index (one pause interval) and the integrity check.
func TestHeadlessRecordedCall(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
	testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	recDir := t.TempDir()
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	fmt.Fprintf(f, "\n[recording]\npolicy = \"on\"\nrecipients = [%q]\ndir = %q\n", id.Recipient().String(), recDir)
	f.Close()
	next, spare := enrolledAgentRecovery(t, c, "sip-secret-1000")

	// stdin: pause 1 s into the call, resume 1 s later (timed from the
	// call's "active" event: login and set-up take longer on a busy machine).
	pr, pw := io.Pipe()
	active := &lineWatch{want: `"state":"active"`, seen: make(chan struct{})}
	go func() {
		select {
		case <-active.seen:
		case <-time.After(30 * time.Second):
		}
		time.Sleep(time.Second)
		io.WriteString(pw, `{"command":"record_pause"}`+"\n")
		time.Sleep(time.Second)
		io.WriteString(pw, `{"command":"record_resume"}`+"\n")
		time.Sleep(3 * time.Second)
		pw.Close()
	}()
	code, evs, out := c.runWatch(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
		pr, active, "call", "sip:2000@localhost", "--duration", "5s", "--audio", "null")
	require.Equal(t, exitOK, code, out)
	var states []string
	for _, e := range eventsNamed(evs, "recording_state") {
		states = append(states, e["state"].(string))
	}
	require.Contains(t, states, "RECORDING", out)
	require.Contains(t, states, "PAUSED", out)

	idFile := filepath.Join(t.TempDir(), "org.key")
	require.NoError(t, os.WriteFile(idFile, []byte(id.String()+"\n"), 0o600))
	code, evs, out = c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": spare[0]},
		"", "recordings", "list")
	require.Equal(t, exitOK, code, out)
	recs := eventsNamed(evs, "recording")
	require.Len(t, recs, 1, out)
	require.Equal(t, 1.0, recs[0]["pauses"], "pause intervals: %v", recs[0])
	code, _, out = c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": spare[1]},
		"", "recordings", "verify", "--identity", idFile)
	require.Equal(t, exitOK, code, out)
}

// lineWatch closes seen once a stdout write contains want.
type lineWatch struct {
	want string
	seen chan struct{}
	once sync.Once
}

func (w *lineWatch) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

// TestCRMCommandsNeedLogin runs crm import and lookup with a real 2FA login:
// the store is encrypted with the machine's CRM key (here in the profile's
// file vault), the lookup prints only masked fields, and a wrong code is
// refused before the store is touched.
func TestCRMCommandsNeedLogin(t *testing.T) {
	c := newAuthCLI(t)
	_, spare := enrolledAgentRecovery(t, c, "x")
	db := filepath.Join(t.TempDir(), "crm.db")
	csv := filepath.Join(t.TempDir(), "contacts.csv")
	require.NoError(t, os.WriteFile(csv, []byte("customer_id,name,phone,phone2,email,birth_date,iban,card,address,city,consent,payment_in_progress,notes\n"+
		"C1,Erika Test,+4920180900,,erika@example.com,1964-08-12,DE89 3704 0044 0532 0130 00,4111 1111 1111 1111,Weg 1,Köln,yes,no,\n"), 0o600))
	creds := func(code string) map[string]string {
		return map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": code}
	}
	code, _, out := c.run(creds("000000"), "", "crm", "import", csv, "--db", db)
	require.Equal(t, exitLoginRefused, code, out)
	_, err := os.Stat(db)
	require.True(t, os.IsNotExist(err), "store created despite a refused login")

	code, _, out = c.run(creds(spare[0]), "", "crm", "import", csv, "--db", db)
	require.Equal(t, exitOK, code, out)
	raw, err := os.ReadFile(db)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "4111 1111 1111 1111", "card number stored in clear")
	require.NotContains(t, string(raw), "0532 0130", "IBAN stored in clear")

	// Need-to-know: the admin imports but does not look customers up.
	code, _, out = c.run(creds(spare[1]), "", "crm", "lookup", "0201 80900", "--db", db)
	require.Equal(t, exitPermission, code, out)
	require.Contains(t, out, "may not crm-lookup")

	agent := addEnrolledProfile(t, c, creds(spare[2]), "ann", "agent")
	annCreds := map[string]string{"SOFTPHONE_PROFILE": "ann", "SOFTPHONE_PASSWORD": "ann password 123", "SOFTPHONE_TOTP": agent[0]}
	code, _, out = c.run(annCreds, "", "crm", "import", csv, "--db", db)
	require.Equal(t, exitPermission, code, "agents do not import: %s", out)
	annCreds["SOFTPHONE_TOTP"] = agent[1]
	code, evs, out := c.run(annCreds, "", "crm", "lookup", "0201 80900", "--db", db)
	require.Equal(t, exitOK, code, out)
	contacts := eventsNamed(evs, "crm_contact")
	require.Len(t, contacts, 1, out)
	require.NotContains(t, out, "4111 1111 1111 1111")
	require.NotContains(t, out, "3704 0044 0532")
	require.Contains(t, out, "1111", "masked card keeps the last 4")
}

func TestVersionCommand(t *testing.T) {
	var out, errb bytes.Buffer
	require.Equal(t, exitOK, run([]string{"version"}, strings.NewReader(""), &out, &errb), errb.String())
	var ev map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &ev))
	require.Equal(t, "version", ev["event"])
	require.Equal(t, version, ev["version"])
	require.NotEmpty(t, ev["go"])
}

// TestHeadlessAnswerFromBaresip runs `softphone answer`: baresip calls the
// registered agent over Kamailio, the call is answered with SRTP, baresip's
// tone is recorded, and baresip hangs up.
func TestHeadlessAnswerFromBaresip(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio and baresip")
	}
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{ToneHz: 660})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	next := enrolledAgent(t, c, "sip-secret-1000")
	rec := filepath.Join(t.TempDir(), "in.wav")

	done := startAnswer(t, c, k, next, "--record", rec)
	b.Dial(t, "sip:1000@"+k.Domain)
	b.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	time.Sleep(2 * time.Second)
	b.Hangup(t)
	r := waitAnswer(t, done)
	require.Equal(t, exitOK, r.code, r.out)
	var sawActive bool
	for _, e := range eventsNamed(r.evs, "call_state") {
		if e["state"] == "active" {
			sawActive = true
			require.Equal(t, "incoming", e["direction"])
			require.NotEmpty(t, e["srtp"], "not encrypted: %v", e)
		}
	}
	require.True(t, sawActive, r.out)
	ended := eventsNamed(r.evs, "call_ended")
	require.Len(t, ended, 1, r.out)
	require.Contains(t, ended[0]["reason"], "remote")

	f, err := os.Open(rec)
	require.NoError(t, err)
	defer f.Close()
	pcm, _, err := device.DecodeWAV(f)
	require.NoError(t, err)
	require.Greater(t, len(pcm), 8000)
	require.InDelta(t, 660, tone.DominantFrequency(pcm[len(pcm)/2:], 8000), 15)
}

// answerResult is what a `softphone answer` run started by startAnswer returned.
type answerResult struct {
	code int
	evs  []map[string]any
	out  string
}

// startAnswer runs `softphone answer --count 1 --audio null` with args as agent1 in the
// background and returns once the agent is registered as 1000 at k.
func startAnswer(t *testing.T, c *authCLI, k *testpeer.Kamailio, next string, args ...string) <-chan answerResult {
	t.Helper()
	done := make(chan answerResult, 1)
	go func() {
		code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
			"", append(append([]string{"answer", "--count", "1"}, args...), "--audio", "null")...)
		done <- answerResult{code, evs, out}
	}()
	deadline := time.Now().Add(15 * time.Second)
	for len(k.Contacts(t, "1000")) == 0 {
		select {
		case r := <-done:
			t.Fatalf("answer ended before a call (exit %d): %s", r.code, r.out)
		default:
		}
		require.True(t, time.Now().Before(deadline), "softphone never registered")
		time.Sleep(100 * time.Millisecond)
	}
	return done
}

// waitAnswer waits for the answer run to return after the far end hung up.
func waitAnswer(t *testing.T, done <-chan answerResult) answerResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatal("answer did not return after the far end hung up")
	}
	return answerResult{}
}
