package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"
)

// realKeyring returns the real OS keyring or skips the test. Run it for real
// with scripts/with-keyring.sh (a private D-Bus session with gnome-keyring
// unlocked and a throwaway HOME): make test-keyring.
func realKeyring(t *testing.T) Vault {
	t.Helper()
	if testing.Short() {
		t.Skip("real keyring test skipped in -short mode")
	}
	v, err := OpenVault(context.Background(), VaultConfig{Backend: VaultKeyring, Dir: t.TempDir()})
	if errors.Is(err, ErrKeyringUnavailable) {
		t.Skipf("SKIP: no Secret Service reachable (%v); run under scripts/with-keyring.sh", err)
	}
	require.NoError(t, err)
	return v
}

// TestKeyringSecretService stores, reads and deletes secrets in the real
// Secret Service through go-keyring.
func TestKeyringSecretService(t *testing.T) {
	v := realKeyring(t)
	require.Equal(t, VaultKeyring, v.Backend())
	name := "kr-test-" + time.Now().Format("150405.000000")
	s, err := v.Open(VaultRef{Profile: name}, "")
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, n := range []string{SecretSIPPassword, SecretTOTP, secretTOTPPending, SecretCRMToken} {
			_ = s.Delete(n)
		}
	})

	_, err = s.Get(SecretSIPPassword)
	assert.ErrorIs(t, err, ErrSecretNotFound)
	require.NoError(t, s.Set(SecretSIPPassword, "sip secret with ünïcode"))
	got, err := s.Get(SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "sip secret with ünïcode", got)

	// Stored where documented: service "softphone", user "PROFILE/NAME".
	raw, err := keyring.Get(KeyringService, name+"/"+SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "sip secret with ünïcode", raw)

	require.NoError(t, s.Set(SecretSIPPassword, "replaced"))
	got, err = s.Get(SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "replaced", got)

	require.NoError(t, s.Delete(SecretSIPPassword))
	_, err = s.Get(SecretSIPPassword)
	assert.ErrorIs(t, err, ErrSecretNotFound)
}

// TestKeyringLoginFlow runs enrolment and login with the TOTP secret in the
// real Secret Service.
func TestKeyringLoginFlow(t *testing.T) {
	v := realKeyring(t)
	e := newTestEnv(t)
	e.vault = v
	e.restart()
	name := "kr-flow-" + time.Now().Format("150405.000000")
	t.Cleanup(func() {
		s, err := v.Open(VaultRef{Profile: name}, "")
		if err == nil {
			_ = s.Delete(SecretTOTP)
			_ = s.Delete(SecretSIPPassword)
		}
	})
	secret, _ := e.addEnrolled(nil, name, RoleAdmin, adminPW)
	raw, err := keyring.Get(KeyringService, name+"/"+SecretTOTP)
	require.NoError(t, err)
	assert.Equal(t, secret, raw, "the TOTP secret lives in the keyring")

	sess, err := e.svc.Login(context.Background(), name, adminPW, e.code(secret, 0))
	require.NoError(t, err)
	require.NoError(t, sess.SetSecret(SecretSIPPassword, "sip-pw"))
	got, err := sess.Secret(SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "sip-pw", got)
}

// TestKeyringProfileIntegrity: with the real Secret Service the profile MAC
// key and the generation counter live in the keyring; an older copy of the
// profile file put back (failure counter reset) is refused.
func TestKeyringProfileIntegrity(t *testing.T) {
	v := realKeyring(t)
	e := newTestEnv(t)
	e.vault = v
	e.restart()
	name := "kr-int-" + time.Now().Format("150405000000")
	require.NoError(t, e.svc.AddProfile(context.Background(), nil, "root"+name[len(name)-6:], RoleAdmin, adminPW))
	prof := "root" + name[len(name)-6:]
	old, err := readFileForSeed(profilePath(e.dir, prof))
	require.NoError(t, err)
	_, err = e.svc.Login(context.Background(), prof, "wrong password!!", "123456")
	require.Error(t, err)
	gen, err := keyring.Get(KeyringService, "profile-gen/"+prof)
	require.NoError(t, err)
	require.NotEqual(t, "0", gen)
	t.Cleanup(func() { keyring.Delete(KeyringService, "profile-gen/"+prof) })
	require.NoError(t, writeFileAtomic(e.dir, profilePath(e.dir, prof), old))
	e.restart()
	e.clock.Advance(time.Minute)
	_, err = e.svc.Login(context.Background(), prof, adminPW, "123456")
	require.ErrorIs(t, err, ErrProfileTampered)
	require.Equal(t, 1, e.audit.countActor(ActionProfileTampered, prof))
}
