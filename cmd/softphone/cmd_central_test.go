package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/internal/testpeer"
	"softphone/recording"
)

// centralAs makes central commands run as actor with role against srv.
func centralAs(t *testing.T, srv *testpeer.S3, actor string, role recording.Role, orgIdentity string) {
	t.Helper()
	old := loginCentral
	loginCentral = func(context.Context, *cli, string, string) (centralUser, error) {
		return centralUser{
			headlessUser: headlessUser{Actor: actor, Role: role, LocalKey: recCLILocalKey, AuditKey: []byte("audit-anchor-key")},
			AccessKey:    srv.AccessKey, SecretKey: srv.SecretKey, OrgIdentity: orgIdentity,
		}, nil
	}
	t.Cleanup(func() { loginCentral = old })
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
	runAs(t, "agent7", recording.RoleAgent)
	code, ev, _, _ := e.run("recordings", "flag", id, "--reason", "customer complaint")
	require.Equal(t, exitOK, code, ev)

	centralAs(t, srv, "agent7", recording.RoleAgent, "")
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
	centralAs(t, srv, "sup1", recording.RoleSupervisor, string(orgKey))
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
	centralAs(t, srv, "sup1", recording.RoleSupervisor, string(orgKey))
	code, ev, _, _ = e.run("recordings", "sync")
	require.Equal(t, exitOK, code, ev)
	var out, errb bytes.Buffer
	code = run([]string{"audit", "verify", "--central", "--config", e.cfg, "--audit-log", e.auditLog}, strings.NewReader(""), &out, &errb)
	require.Equal(t, exitOK, code, out.String()+errb.String())
	require.Contains(t, out.String(), `"event":"audit_verified"`)
	require.Contains(t, out.String(), `"ok":true`)
}
