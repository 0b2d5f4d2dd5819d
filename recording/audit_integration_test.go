package recording

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/audit"
)

// TestAuditTrail runs a call's life against the real audit log: every event
// is its own entry, the chain verifies, and no number or audio is in it.
func TestAuditTrail(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "audit.log")
	alog, err := audit.Open(logPath, audit.WithAnchorKey([]byte("k")))
	require.NoError(t, err)
	defer alog.Close()
	env := newEnv(t, func(c *Config) { c.Auditor = alog })
	r, err := env.store.Start(context.Background(), CallMeta{CallID: "c1", Direction: "outgoing", Number: "+49 30 1234567"}, "agent7")
	require.NoError(t, err)
	writeBoth(r, 10, 0, speechFrame)
	require.NoError(t, r.Pause(PausePayment))
	require.NoError(t, r.Resume(PausePayment))
	require.NoError(t, r.Flag("agent7", "check"))
	id := r.ID()
	require.NoError(t, r.Close())
	s := env.store
	require.NoError(t, s.Hold("admin1", RoleAdmin, id, "case 7"))
	require.NoError(t, s.Release("admin1", RoleAdmin, id, "closed"))
	_, err = s.Open("sup1", RoleSupervisor, id, PurposePlayback, env.id)
	require.NoError(t, err)
	_, err = s.Open("sup1", RoleSupervisor, id, PurposeExport, env.id)
	require.NoError(t, err)
	require.NoError(t, s.SetPolicy("admin1", RoleAdmin, PolicyAsk))
	require.NoError(t, s.Delete("admin1", RoleAdmin, id))
	require.NoError(t, alog.Close())

	rep, err := audit.Verify(logPath, audit.WithAnchorKey([]byte("k")))
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Problems)
	data, err := os.ReadFile(logPath)
	require.NoError(t, err)
	var actions []string
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		e, err := audit.ParseEntry(line)
		require.NoError(t, err)
		actions = append(actions, e.Action)
	}
	require.Equal(t, []string{
		audit.ActionRecordingStart, audit.ActionRecordingPause, audit.ActionRecordingResume, audit.ActionFlag,
		audit.ActionRecordingStop, audit.ActionHold, audit.ActionRelease, audit.ActionPlayback, audit.ActionExport,
		audit.ActionPolicyChange, audit.ActionDelete,
	}, actions)
	require.NotContains(t, string(data), "1234567")
	requireNoMarker(t, map[string][]byte{"audit": data}, [][]int16{speechFrame(0), speechFrame(5)})
}
