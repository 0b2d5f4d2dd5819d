package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/auth"
	"softphone/recording"
)

var recCLILocalKey = []byte("cli-test-local-key-0123456789abc")

type recCLI struct {
	dir, cfg, auditLog, identity, otherIdentity string
	org                                         *age.X25519Identity
	deps                                        deps // who runs the commands (runAs)
}

func newRecCLI(t *testing.T) *recCLI {
	t.Helper()
	dir := t.TempDir()
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	other, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	e := &recCLI{dir: dir, cfg: filepath.Join(dir, "config.toml"), auditLog: filepath.Join(dir, "audit.log"),
		identity: filepath.Join(dir, "org.key"), otherIdentity: filepath.Join(dir, "other.key"), org: org}
	require.NoError(t, os.WriteFile(e.identity, []byte(org.String()+"\n"), 0o600))
	require.NoError(t, os.WriteFile(e.otherIdentity, []byte(other.String()+"\n"), 0o600))
	cfg := fmt.Sprintf("[recording]\npolicy = \"on\"\nrecipients = [%q]\nretention_days = 30\ndir = %q\n",
		org.Recipient().String(), filepath.Join(dir, "rec"))
	cfg += fmt.Sprintf("[auth]\nprofile_dir = %q\nvault = \"file\"\n", filepath.Join(dir, "profiles"))
	require.NoError(t, os.WriteFile(e.cfg, []byte(cfg), 0o600))
	e.deps = defaultDeps()
	return e
}

// runAs makes the headless commands of e run as actor with role.
func (e *recCLI) runAs(actor string, role recording.Role) {
	d := defaultDeps()
	d.login = func(context.Context, *cli, authFlags) (*account, int) {
		return &account{profile: actor, role: auth.Role(role), keys: map[string][]byte{
			auth.MachineRecordingKey: recCLILocalKey, auth.MachineAuditKey: []byte("audit-anchor-key")}}, exitOK
	}
	d.auditAnchorKey = func(context.Context, *cli, string) ([]byte, error) { return []byte("audit-anchor-key"), nil }
	e.deps = d
}

// record makes one finished recording with the package API, as the phone would.
func (e *recCLI) record(t *testing.T, agent string) string {
	t.Helper()
	s, err := recording.NewStore(recording.Config{Dir: filepath.Join(e.dir, "rec"), Recipients: []age.Recipient{e.org.Recipient()},
		PseudonymKey: recCLILocalKey, Policy: recording.PolicyOn, SweepInterval: -1})
	require.NoError(t, err)
	defer s.Close()
	r, err := s.Start(context.Background(), recording.CallMeta{CallID: "call-" + agent, Direction: "incoming", Number: "+4930123456"}, agent)
	require.NoError(t, err)
	frame := make([]int16, 160)
	for i := range frame {
		frame[i] = int16(i * 50)
	}
	for k := 0; k < 25; k++ {
		r.WriteAgent(frame)
		r.WriteCustomer(frame)
	}
	id := r.ID()
	require.NoError(t, r.Close())
	return id
}

func (e *recCLI) run(args ...string) (int, []map[string]any, string, []byte) {
	var out, errb bytes.Buffer
	full := append([]string{args[0], args[1]}, append([]string{"--config", e.cfg, "--audit-log", e.auditLog}, args[2:]...)...)
	if args[0] == "audit" {
		full = append([]string{"audit", "verify", "--log", e.auditLog}, args[2:]...)
	}
	code := runWith(e.deps, full, strings.NewReader(""), &out, &errb)
	var events []map[string]any
	for _, line := range bytes.Split(out.Bytes(), []byte("\n")) {
		var m map[string]any
		if json.Unmarshal(line, &m) == nil {
			events = append(events, m)
		}
	}
	return code, events, errb.String(), out.Bytes()
}

func lastEvent(events []map[string]any) map[string]any {
	if len(events) == 0 {
		return map[string]any{}
	}
	return events[len(events)-1]
}

func TestRecordingsCommands(t *testing.T) {
	e := newRecCLI(t)
	id := e.record(t, "agent7")
	other := e.record(t, "agent8")

	t.Run("agent lists own only", func(t *testing.T) {
		e.runAs("agent7", recording.RoleAgent)
		code, ev, _, _ := e.run("recordings", "list")
		require.Equal(t, exitOK, code)
		require.Len(t, ev, 2)
		require.Equal(t, id, ev[0]["id"])
		require.NotContains(t, fmt.Sprint(ev), "30123456", "no phone number in output")
	})
	t.Run("agent flags", func(t *testing.T) {
		e.runAs("agent7", recording.RoleAgent)
		code, ev, _, _ := e.run("recordings", "flag", id, "--reason", "customer complaint")
		require.Equal(t, exitOK, code, ev)
		code, _, _, _ = e.run("recordings", "flag", other, "--reason", "x")
		require.Equal(t, exitFailure, code, "not their recording")
	})
	t.Run("agent cannot hold, release, delete, play", func(t *testing.T) {
		e.runAs("agent7", recording.RoleAgent)
		for _, args := range [][]string{
			{"recordings", "hold", id, "--reason", "x"},
			{"recordings", "release", id, "--reason", "x"},
			{"recordings", "delete", id},
			{"recordings", "export", id, "--identity", e.identity, "--out", filepath.Join(e.dir, "x.wav")},
		} {
			code, ev, _, _ := e.run(args...)
			require.Equal(t, exitFailure, code, args)
			require.Contains(t, lastEvent(ev)["error"], "not allowed", args)
		}
	})
	t.Run("supervisor sees flagged", func(t *testing.T) {
		e.runAs("sup1", recording.RoleSupervisor)
		code, ev, _, _ := e.run("recordings", "list", "--flagged")
		require.Equal(t, exitOK, code)
		require.Len(t, ev, 2)
		require.Equal(t, id, ev[0]["id"])
		require.Equal(t, []any{"customer complaint"}, ev[0]["flag_reasons"])
	})
	t.Run("play to stdout and export", func(t *testing.T) {
		e.runAs("sup1", recording.RoleSupervisor)
		code, _, stderr, raw := e.run("recordings", "play", id, "--identity", e.identity)
		require.Equal(t, exitOK, code, stderr)
		require.Equal(t, "RIFF", string(raw[:4]))
		require.Len(t, raw, 44+25*160*4)
		out := filepath.Join(e.dir, "out.wav")
		code, ev, _, _ := e.run("recordings", "export", id, "--identity", e.identity, "--out", out)
		require.Equal(t, exitOK, code, ev)
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		require.Equal(t, raw, b)
	})
	t.Run("wrong key", func(t *testing.T) {
		e.runAs("sup1", recording.RoleSupervisor)
		code, _, stderr, raw := e.run("recordings", "play", id, "--identity", e.otherIdentity)
		require.Equal(t, exitFailure, code)
		require.Empty(t, raw)
		require.Contains(t, stderr, "private key does not match")
		code, ev, _, _ := e.run("recordings", "verify", "--identity", e.otherIdentity)
		require.Equal(t, exitFailure, code)
		require.Contains(t, lastEvent(ev)["error"], "private key does not match")
	})
	t.Run("hold blocks delete until release", func(t *testing.T) {
		e.runAs("sup1", recording.RoleSupervisor)
		code, _, _, _ := e.run("recordings", "hold", id, "--reason", "court order")
		require.Equal(t, exitOK, code)
		code, ev, _, _ := e.run("recordings", "delete", id)
		require.Equal(t, exitFailure, code)
		require.Contains(t, lastEvent(ev)["error"], "legal hold")
		code, _, _, _ = e.run("recordings", "release", id)
		require.Equal(t, exitUsage, code, "reason required")
		code, _, _, _ = e.run("recordings", "release", id, "--reason", "case closed")
		require.Equal(t, exitOK, code)
		code, ev, _, _ = e.run("recordings", "delete", id)
		require.Equal(t, exitOK, code, ev)
	})
	t.Run("verify", func(t *testing.T) {
		e.runAs("sup1", recording.RoleSupervisor)
		code, ev, _, _ := e.run("recordings", "verify", "--identity", e.identity)
		require.Equal(t, exitOK, code, ev)
		require.Equal(t, true, lastEvent(ev)["ok"])
		seg := filepath.Join(e.dir, "rec", other, "seg-000001.age")
		b, err := os.ReadFile(seg)
		require.NoError(t, err)
		b[len(b)-20] ^= 0xff
		require.NoError(t, os.WriteFile(seg, b, 0o600))
		code, ev, _, _ = e.run("recordings", "verify", "--identity", e.identity)
		require.Equal(t, exitFailure, code)
		require.Equal(t, other, ev[0]["id"])
		require.Contains(t, ev[0]["problem"], "integrity check failed")
	})
	t.Run("audit log verifies and names the edited entry", func(t *testing.T) {
		e.runAs("sup1", recording.RoleSupervisor)
		code, ev, _, _ := e.run("audit", "verify")
		require.Equal(t, exitOK, code, ev)
		require.Equal(t, "valid", lastEvent(ev)["anchor_mac"])
		data, err := os.ReadFile(e.auditLog)
		require.NoError(t, err)
		require.Contains(t, string(data), `"action":"recording.export"`)
		require.Contains(t, string(data), `"action":"recording.playback"`)
		require.NotContains(t, string(data), "30123456")
		lines := strings.SplitAfter(string(data), "\n")
		lines[2] = strings.Replace(lines[2], "sup1", "sup2", 1)
		require.NoError(t, os.WriteFile(e.auditLog, []byte(strings.Join(lines, "")), 0o600))
		code, ev, _, _ = e.run("audit", "verify")
		require.Equal(t, exitFailure, code)
		require.EqualValues(t, 3, ev[0]["entry"])
		require.Equal(t, "edited", ev[0]["kind"])
	})
}

func TestRecordingsNeedsLogin(t *testing.T) {
	e := newRecCLI(t)
	t.Setenv("SOFTPHONE_PASSWORD", "not a profile's password")
	t.Setenv("SOFTPHONE_TOTP", "123456")
	code, ev, _, _ := e.run("recordings", "list", "--profile", "ghost")
	require.Equal(t, exitLoginRefused, code)
	require.Equal(t, "login_failed", lastEvent(ev)["event"])
	for _, x := range ev {
		require.NotEqual(t, "recording", x["event"], "nothing listed without a login")
	}
}

func TestRecordingsUsage(t *testing.T) {
	e := newRecCLI(t)
	e.runAs("sup1", recording.RoleSupervisor)
	tests := [][]string{
		{"recordings", "bogus"},
		{"recordings", "delete"},
		{"recordings", "export", "abc", "--identity", "x"},
		{"recordings", "play", "abc"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, _, _, _ := e.run(args...)
			require.Equal(t, exitUsage, code)
		})
	}
}

// TestRecordingsPolicy: supervisors change the default policy (audited);
// agents cannot.
func TestRecordingsPolicy(t *testing.T) {
	e := newRecCLI(t)
	e.runAs("agent7", recording.RoleAgent)
	code, _, _, _ := e.run("recordings", "policy", "off")
	require.NotEqual(t, exitOK, code, "an agent changed the recording policy")
	code, ev, all, _ := e.run("recordings", "policy")
	require.Equal(t, exitOK, code, all)
	require.Equal(t, "on", ev[len(ev)-1]["policy"])

	e.runAs("sup1", recording.RoleSupervisor)
	code, ev, all, _ = e.run("recordings", "policy", "ask")
	require.Equal(t, exitOK, code, all)
	require.Equal(t, "ask", ev[len(ev)-1]["policy"])
	log, err := os.ReadFile(e.auditLog)
	require.NoError(t, err)
	require.Contains(t, string(log), "sup1")
	require.Contains(t, string(log), "policy")
}
