package auth

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const newAlicePW = "alice's new password"

func TestChangePassword(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	sess, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	require.NoError(t, sess.SetSecret(SecretSIPPassword, "sip-secret-1"))

	change := func(old, code, new string) error {
		_, err := e.svc.ChangePassword(ctx, "alice", old, code, new)
		return err
	}
	assert.ErrorIs(t, change(alicePW, e.code(secret, 1), "short"), ErrWeakPassword)
	assert.ErrorIs(t, change(alicePW, e.code(secret, 1), alicePW), ErrWeakPassword)
	assert.Same(t, ErrLoginRefused, change("wrong password!", e.code(secret, 1), newAlicePW))
	assert.Same(t, ErrLoginRefused, change(alicePW, e.code(secret, 0), newAlicePW), "the login code is not fresh")
	assert.Equal(t, 2, e.loadProfile("alice").Failures)

	changed, err := e.svc.ChangePassword(ctx, "alice", alicePW, e.code(secret, 1), newAlicePW)
	require.NoError(t, err)
	assert.Equal(t, 1, e.audit.count(ActionPasswordChanged))
	p := e.loadProfile("alice")
	assert.Equal(t, 1, p.VaultGen)
	assert.Equal(t, 0, p.Failures)
	assert.NoFileExists(t, filepath.Join(e.dir, "alice.vault"), "old generation pruned")
	assert.FileExists(t, filepath.Join(e.dir, "alice+1.vault"))

	// The new session writes to the new generation; the old one can still
	// read but not bring the old generation back.
	require.NoError(t, changed.SetSecret(SecretCRMToken, "crm-token-1"))
	got, err := sess.Secret(SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "sip-secret-1", got)
	assert.ErrorIs(t, sess.SetSecret(SecretCRMToken, "x"), ErrVaultStale)
	assert.NoFileExists(t, filepath.Join(e.dir, "alice.vault"))

	e.clock.Advance(2 * totpPeriod * time.Second)
	_, err = e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	assert.Same(t, ErrLoginRefused, err, "old password no longer works")
	again, err := e.svc.Login(ctx, "alice", newAlicePW, e.code(secret, 0))
	require.NoError(t, err)
	for name, want := range map[string]string{SecretSIPPassword: "sip-secret-1", SecretCRMToken: "crm-token-1"} {
		got, err := again.Secret(name)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

// A crash after the new vault generation is written but before the profile
// is saved leaves the old password working; the next change replaces the
// leftover file.
func TestChangePasswordCrashBeforeCommit(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	_, err := e.vault.Rekey(VaultRef{Profile: "alice"}, VaultRef{Profile: "alice", Gen: 1}, alicePW, "half-done password")
	require.NoError(t, err)
	require.FileExists(t, filepath.Join(e.dir, "alice+1.vault"))

	_, err = e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err, "the old pair is intact")
	_, err = e.svc.ChangePassword(ctx, "alice", alicePW, e.code(secret, 1), newAlicePW)
	require.NoError(t, err)
	e.clock.Advance(2 * totpPeriod * time.Second)
	_, err = e.svc.Login(ctx, "alice", newAlicePW, e.code(secret, 0))
	require.NoError(t, err, "the leftover generation was replaced")
}

// A crash after the profile is saved but before the old generation is
// removed: the new password works, the old one does not.
func TestChangePasswordCrashBeforePrune(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	oldFile := filepath.Join(e.dir, "alice.vault")
	backup, err := os.ReadFile(oldFile)
	require.NoError(t, err)
	_, err = e.svc.ChangePassword(ctx, "alice", alicePW, e.code(secret, 0), newAlicePW)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(oldFile, backup, 0o600)) // as if Prune never ran

	e.clock.Advance(2 * totpPeriod * time.Second)
	_, err = e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	assert.Same(t, ErrLoginRefused, err)
	_, err = e.svc.Login(ctx, "alice", newAlicePW, e.code(secret, 0))
	require.NoError(t, err)
}

func TestChangePasswordKeyring(t *testing.T) {
	e := newTestEnv(t)
	kc := newFakeKeyring()
	e.vault = newKeyringVault(kc)
	e.restart()
	secret, _ := e.addEnrolled(nil, "root", RoleAdmin, adminPW)
	ctx := context.Background()
	sess, err := e.svc.Login(ctx, "root", adminPW, e.code(secret, 0))
	require.NoError(t, err)
	require.NoError(t, sess.SetSecret(SecretSIPPassword, "sip"))
	_, err = e.svc.ChangePassword(ctx, "root", adminPW, e.code(secret, 1), "root's new password")
	require.NoError(t, err)
	e.clock.Advance(2 * totpPeriod * time.Second)
	again, err := e.svc.Login(ctx, "root", "root's new password", e.code(secret, 0))
	require.NoError(t, err)
	got, err := again.Secret(SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "sip", got)
}
