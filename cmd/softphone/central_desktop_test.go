//go:build !headless

package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"softphone/auth"
	"softphone/config"
	"softphone/internal/testpeer"
	"softphone/recording"
	"softphone/ui"
)

// TestDesktopCentral drives the desktop's central storage without a window:
// after a real 2FA login the background uploader stores a flagged
// recording, the status line reports it, and the logged-in admin's Review
// tab lists, plays (null output device) and resolves it.
func TestDesktopCentral(t *testing.T) {
	srv := testpeer.StartS3(t)
	c := newAuthCLI(t)
	org, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	recDir := t.TempDir()
	f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	fmt.Fprintf(f, "\n[recording]\npolicy = \"on\"\nrecipients = [%q]\ndir = %q\n\n[recording.store]\nendpoint = %q\nbucket = %q\nregion = %q\n",
		org.Recipient().String(), recDir, srv.Endpoint, srv.Bucket, srv.Region)
	f.Close()
	_, spare := enrolledAgentRecovery(t, c, "sip-secret")
	for name, value := range map[string]string{secretS3AccessKey: srv.AccessKey, secretS3SecretKey: srv.SecretKey, secretOrgIdentity: org.String()} {
		code, _, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "correct horse battery",
			"SOFTPHONE_TOTP": spare[0], "SOFTPHONE_SECRET": value}, "", "secret", "set", name)
		spare = spare[1:]
		require.Equal(t, exitOK, code, out)
	}
	cfg, err := config.Load(c.config)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	env := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &out, log: slog.New(slog.NewTextHandler(&out, nil))}
	svc, code := openAuth(ctx, env, &authFlags{configPath: c.config})
	require.Equal(t, exitOK, code, out.String())
	t.Setenv("SOFTPHONE_PASSWORD", "correct horse battery")
	t.Setenv("SOFTPHONE_TOTP", spare[0])
	sess, code := login(ctx, env, svc, newCredentials(env), "agent1")
	require.Equal(t, exitOK, code, out.String())
	defer env.auditLog.Close()

	local := []byte("desktop-test-local-key-012345678")
	recs, err := recording.NewStore(recording.Config{Dir: recDir, Recipients: []age.Recipient{org.Recipient()},
		PseudonymKey: local, Policy: recording.PolicyOn, SweepInterval: -1, Auditor: env.auditLog})
	require.NoError(t, err)
	defer recs.Close()
	r, err := recs.Start(ctx, recording.CallMeta{CallID: "c1", Direction: "incoming", Number: "+4930111"}, "agent1")
	require.NoError(t, err)
	for k := range 100 {
		r.WriteAgent(make([]int16, 160))
		r.WriteCustomer(make([]int16, 160))
		if k%25 == 24 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	require.NoError(t, r.Flag("agent1", "complaint"))
	id := r.ID()
	require.NoError(t, r.Close())

	card := newSoundCard(config.Audio{Backend: "null"}, "null", env.log)
	cd := startCentralDesk(ctx, cfg, recs, func() *auth.Session { return sess }, card, env, nil)
	require.NotNil(t, cd)
	p := centralPhone{c: cd}
	var _ ui.Reviewer = p
	var _ ui.UploadStatus = p
	require.Eventually(t, func() bool {
		s, on := p.UploadStatus()
		m, _, err := recs.Envelope(id)
		return on && s.Pending == 0 && err == nil && m.Status == recording.StatusDeleted
	}, 30*time.Second, 100*time.Millisecond, "uploaded and shredded locally: %s", out.String())

	require.True(t, p.CanReview(), "an admin may review")
	items, err := p.ReviewList(ctx, ui.ReviewQuery{Agent: "agent1"})
	require.NoError(t, err)
	require.Len(t, items, 1)
	require.Equal(t, []string{"complaint"}, items[0].Reasons)
	require.NoError(t, p.ReviewPlay(ctx, id))
	require.NoError(t, p.ReviewNote(ctx, id, "ok", true))
	items, err = p.ReviewList(ctx, ui.ReviewQuery{})
	require.NoError(t, err)
	require.Empty(t, items)
	logData, err := os.ReadFile(filepath.Join(filepath.Dir(cfg.Auth.ProfileDir), "audit.log"))
	require.NoError(t, err)
	require.Contains(t, string(logData), `"action":"recording.playback","attrs":{"owner":"agent1","recording":"`+id)
}
