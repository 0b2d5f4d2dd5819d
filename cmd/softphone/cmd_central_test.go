package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/audio/tone"
	"softphone/internal/testpeer"
	"softphone/recording"
)

// centralAs makes central commands of e run as actor with role against srv.
func (e *recCLI) centralAs(srv *testpeer.S3, actor string, role recording.Role, orgIdentity string) {
	e.runAs(actor, role)
	login := e.deps.login
	e.deps.login = func(ctx context.Context, env *cli, af authFlags) (*account, int) {
		a, code := login(ctx, env, af)
		if a != nil {
			a.secrets = map[string]string{secretS3AccessKey: srv.AccessKey, secretS3SecretKey: srv.SecretKey}
			if orgIdentity != "" {
				a.secrets[secretOrgIdentity] = orgIdentity
			}
		}
		return a, code
	}
}

// TestCentralCommands: sync uploads and ships the audit log (JSON events),
// a supervisor lists, reviews and plays from central storage, and the
// central audit chain verifies.
func TestCentralCommands(t *testing.T) {
	srv := testpeer.StartS3(t)
	e := newRecCLI(t)
	cfg, err := os.ReadFile(e.cfg)
	require.NoError(t, err)
	cfg = append(cfg, fmt.Sprintf("\n[recording.store]\nendpoint = %q\nbucket = %q\nregion = %q\nprefix = \"site1\"\nkeep_days = 0\n",
		srv.Endpoint, srv.Bucket, srv.Region)...)
	require.NoError(t, os.WriteFile(e.cfg, cfg, 0o600))
	id := e.record(t, "agent7")
	e.runAs("agent7", recording.RoleAgent)
	code, ev, _, _ := e.run("recordings", "flag", id, "--reason", "customer complaint")
	require.Equal(t, exitOK, code, ev)

	e.centralAs(srv, "agent7", recording.RoleAgent, "")
	code, ev, stderr, _ := e.run("recordings", "sync")
	require.Equal(t, exitOK, code, "%v %s", ev, stderr)
	states := map[string]bool{}
	for _, x := range ev {
		if x["event"] == "upload" {
			states[x["state"].(string)] = true
		}
	}
	require.True(t, states["uploaded"] && states["offloaded"], "%v", ev)
	done := lastEvent(ev)
	require.Equal(t, "sync_done", done["event"])
	require.Equal(t, true, done["ok"])
	require.Greater(t, done["audit_entries_shipped"], 0.0)

	// The agent has no org key and may not review.
	code, ev, _, _ = e.run("recordings", "review")
	require.Equal(t, exitFailure, code)
	require.Contains(t, lastEvent(ev)["error"], "role does not allow")

	orgKey, err := os.ReadFile(e.identity)
	require.NoError(t, err)
	e.centralAs(srv, "sup1", recording.RoleSupervisor, string(orgKey))
	code, ev, _, _ = e.run("recordings", "review", "--agent", "agent7")
	require.Equal(t, exitOK, code, ev)
	require.Len(t, ev, 2)
	require.Equal(t, id, ev[0]["id"])
	require.Equal(t, []any{"customer complaint"}, ev[0]["flag_reasons"])
	code, ev, _, _ = e.run("recordings", "list", "--central")
	require.Equal(t, exitOK, code, ev)
	require.Equal(t, 1.0, lastEvent(ev)["count"])

	code, _, _, wav := e.run("recordings", "review", "play", id)
	require.Equal(t, exitOK, code)
	require.True(t, bytes.HasPrefix(wav, []byte("RIFF")), "WAV on stdout")
	code, ev, _, _ = e.run("recordings", "review", "note", id, "--note", "fine", "--resolve")
	require.Equal(t, exitOK, code, ev)
	code, ev, _, _ = e.run("recordings", "review")
	require.Equal(t, exitOK, code, ev)
	require.Equal(t, 0.0, lastEvent(ev)["count"], "resolved")
	code, ev, _, _ = e.run("recordings", "review", "hold", id, "--reason", "case 9")
	require.Equal(t, exitOK, code, ev)
	code, ev, _, _ = e.run("recordings", "review", "delete", id, "--reason", "erasure")
	require.Equal(t, exitFailure, code)
	require.Contains(t, lastEvent(ev)["error"], "legal hold")

	// Ship the supervisor's entries too, then verify every agent's chain.
	e.centralAs(srv, "sup1", recording.RoleSupervisor, string(orgKey))
	code, ev, _, _ = e.run("recordings", "sync")
	require.Equal(t, exitOK, code, ev)
	var out, errb bytes.Buffer
	code = runWith(e.deps, []string{"audit", "verify", "--central", "--config", e.cfg, "--audit-log", e.auditLog}, strings.NewReader(""), &out, &errb)
	require.Equal(t, exitOK, code, out.String()+errb.String())
	require.Contains(t, out.String(), `"event":"audit_verified"`)
	require.Contains(t, out.String(), `"ok":true`)
}

// TestRecordedCallUploadedToCentral is the whole path with real peers and a
// real 2FA login: a recorded SRTP call to baresip, `recordings sync` with
// the S3 keys from the vault, a supervisor-capable profile playing it from
// central storage with the org identity from the vault, and the central
// audit chain verified.
func TestRecordedCallUploadedToCentral(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: needs Kamailio, baresip and an S3 server")
	}
	srv := testpeer.StartS3(t)
	k := testpeer.StartKamailio(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"})
	testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440})
	c := newAuthCLI(t)
	writeAccount(t, c, k, "1000")
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	fmt.Fprintf(f, "\n[recording]\npolicy = \"on\"\nrecipients = [%q]\ndir = %q\n\n[recording.store]\nendpoint = %q\nbucket = %q\nregion = %q\nprefix = \"site1\"\n",
		org.Recipient().String(), t.TempDir(), srv.Endpoint, srv.Bucket, srv.Region)
	f.Close()
	next, spare := enrolledAgentRecovery(t, c, "sip-secret-1000")
	login := func() map[string]string {
		code := spare[0]
		spare = spare[1:]
		return map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": code}
	}
	for name, value := range map[string]string{secretS3AccessKey: srv.AccessKey, secretS3SecretKey: srv.SecretKey, secretOrgIdentity: org.String()} {
		env := login()
		env["SOFTPHONE_SECRET"] = value
		code, _, out := c.run(env, "", "secret", "set", name)
		require.Equal(t, exitOK, code, out)
	}

	code, _, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery", "SOFTPHONE_TOTP": next},
		"", "call", "sip:2000@localhost", "--duration", "3s", "--audio", "null")
	require.Equal(t, exitOK, code, out)

	code, evs, out := c.run(login(), "", "recordings", "sync")
	require.Equal(t, exitOK, code, out)
	var id string
	for _, e := range eventsNamed(evs, "upload") {
		if e["state"] == "offloaded" {
			id = e["recording"].(string)
		}
	}
	require.NotEmpty(t, id, "the recording was uploaded and shredded locally: %s", out)
	require.NotContains(t, out, "4930", "no number in the output")

	for k, v := range login() {
		t.Setenv(k, v)
	}
	var wav, errb bytes.Buffer
	code = run([]string{"recordings", "review", "play", id, "--config", c.config}, strings.NewReader(""), &wav, &errb)
	require.Equal(t, exitOK, code, errb.String()+wav.String())
	pcm := wav.Bytes()[44:]
	customer := make([]int16, 0, len(pcm)/4)
	for i := 0; i+3 < len(pcm); i += 4 {
		customer = append(customer, int16(uint16(pcm[i+2])|uint16(pcm[i+3])<<8))
	}
	require.Greater(t, len(customer), 8000, "at least a second of audio")
	require.InDelta(t, 440, tone.DominantFrequency(customer[len(customer)-8000:], 8000), 15, "baresip's tone on the customer channel")

	code, evs, out = c.run(login(), "", "audit", "verify", "--central")
	require.Equal(t, exitOK, code, out)
	require.Equal(t, true, eventsNamed(evs, "audit_verified")[0]["ok"], out)
	agents := eventsNamed(evs, "audit_agent_verified")
	require.Len(t, agents, 1)
	require.Greater(t, agents[0]["entries"], 5.0, "login, call and recording entries shipped")
}
