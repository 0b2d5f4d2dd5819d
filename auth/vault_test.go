package auth

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFileVaultRoundTrip(t *testing.T) {
	dir := t.TempDir()
	v := newTestFileVault(t, dir)
	require.NoError(t, v.Create(VaultRef{Profile: "alice"}, alicePW))
	assert.Error(t, v.Create(VaultRef{Profile: "alice"}, alicePW), "an existing vault is never replaced")

	s, err := v.Open(VaultRef{Profile: "alice"}, alicePW)
	require.NoError(t, err)
	_, err = s.Get(SecretSIPPassword)
	assert.ErrorIs(t, err, ErrSecretNotFound)
	require.NoError(t, s.Set(SecretSIPPassword, "sip-secret-value"))
	require.NoError(t, s.Set(SecretCRMToken, "crm-token-value"))
	require.NoError(t, s.Delete(SecretCRMToken))
	require.NoError(t, s.Delete(SecretCRMToken), "deleting a missing secret is fine")
	assert.ErrorIs(t, s.Set("bogus", "x"), ErrUnknownSecret)

	s2, err := v.Open(VaultRef{Profile: "alice"}, alicePW)
	require.NoError(t, err)
	got, err := s2.Get(SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "sip-secret-value", got)
	_, err = s2.Get(SecretCRMToken)
	assert.ErrorIs(t, err, ErrSecretNotFound)

	raw, err := os.ReadFile(filepath.Join(dir, "alice.vault"))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), "sip-secret-value", "never plaintext on disk")
	assert.NotContains(t, string(raw), SecretSIPPassword, "not even the names")
	st, err := os.Stat(filepath.Join(dir, "alice.vault"))
	require.NoError(t, err)
	if runtime.GOOS != "windows" { // Windows has no Unix modes; the per-user profile directory protects the file
		assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	}
}

func TestFileVaultRefusesAndLeavesFileUntouched(t *testing.T) {
	dir := t.TempDir()
	v := newTestFileVault(t, dir)
	require.NoError(t, v.Create(VaultRef{Profile: "alice"}, alicePW))
	s, err := v.Open(VaultRef{Profile: "alice"}, alicePW)
	require.NoError(t, err)
	require.NoError(t, s.Set(SecretSIPPassword, "sip-secret-value"))
	path := filepath.Join(dir, "alice.vault")
	good, err := os.ReadFile(path)
	require.NoError(t, err)

	var vf vaultFile
	require.NoError(t, json.Unmarshal(good, &vf))
	edit := func(f func(*vaultFile)) []byte {
		c := vf
		c.Ciphertext = append([]byte(nil), vf.Ciphertext...)
		c.Check = append([]byte(nil), vf.Check...)
		f(&c)
		b, err := json.Marshal(c)
		require.NoError(t, err)
		return b
	}

	tests := []struct {
		name     string
		content  []byte // nil: the good file
		profile  string
		password string
		want     error
	}{
		{"wrong password", nil, "alice", "not the password", ErrVaultPassword},
		{"flipped ciphertext bit", edit(func(c *vaultFile) { c.Ciphertext[3] ^= 1 }), "alice", alicePW, ErrVaultCorrupt},
		{"truncated file", good[:len(good)/2], "alice", alicePW, ErrVaultCorrupt},
		{"not JSON", []byte("hello"), "alice", alicePW, ErrVaultCorrupt},
		{"empty file", []byte{}, "alice", alicePW, ErrVaultCorrupt},
		{"unknown field", []byte(`{"version":1,"x":1}`), "alice", alicePW, ErrVaultCorrupt},
		{"huge memory cost", edit(func(c *vaultFile) { c.MemoryKiB = 1 << 30 }), "alice", alicePW, ErrVaultCorrupt},
		{"other version", edit(func(c *vaultFile) { c.Version = 2 }), "alice", alicePW, ErrVaultCorrupt},
		{"short nonce", edit(func(c *vaultFile) { c.Nonce = c.Nonce[:12] }), "alice", alicePW, ErrVaultCorrupt},
		{"copied to another profile", nil, "bob", alicePW, ErrVaultCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			content := good
			if tt.content != nil {
				content = tt.content
			}
			p := filepath.Join(dir, tt.profile+".vault")
			require.NoError(t, os.WriteFile(p, content, 0o600))
			_, err := v.Open(VaultRef{Profile: tt.profile}, tt.password)
			require.ErrorIs(t, err, tt.want)
			after, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.Equal(t, content, after, "file left untouched")
		})
	}
	_, err = v.Open(VaultRef{Profile: "carol"}, alicePW)
	assert.ErrorIs(t, err, ErrVaultMissing)
}

func TestKeyringVaultWithFake(t *testing.T) {
	kc := newFakeKeyring()
	v := newKeyringVault(kc)
	assert.Equal(t, VaultKeyring, v.Backend())
	require.NoError(t, v.Create(VaultRef{Profile: "alice"}, ""))
	s, err := v.Open(VaultRef{Profile: "alice"}, "ignored")
	require.NoError(t, err)
	_, err = s.Get(SecretSIPPassword)
	assert.ErrorIs(t, err, ErrSecretNotFound)
	require.NoError(t, s.Set(SecretSIPPassword, "sip-secret-value"))
	assert.Equal(t, "sip-secret-value", kc.items["softphone|alice/sip-password"], "service softphone, user PROFILE/NAME")
	got, err := s.Get(SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "sip-secret-value", got)
	require.NoError(t, s.Delete(SecretSIPPassword))
	require.NoError(t, s.Delete(SecretSIPPassword))
	_, err = v.Open(VaultRef{Profile: "../x"}, "")
	assert.ErrorIs(t, err, ErrInvalidProfileName)
}

func TestOpenVaultSelection(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	broken := newFakeKeyring()
	broken.err = errNoDBus
	quiet := slog.New(slog.DiscardHandler)

	v, err := openVault(ctx, VaultConfig{Backend: VaultAuto, Dir: dir, Logger: quiet}, broken)
	require.NoError(t, err)
	assert.Equal(t, VaultFile, v.Backend(), "no keyring: file fallback")

	v, err = openVault(ctx, VaultConfig{Dir: dir, Logger: quiet}, newFakeKeyring())
	require.NoError(t, err)
	assert.Equal(t, VaultKeyring, v.Backend(), "keyring reachable: keyring")

	_, err = openVault(ctx, VaultConfig{Backend: VaultKeyring, Dir: dir}, broken)
	assert.ErrorIs(t, err, ErrKeyringUnavailable, "keyring demanded but missing")

	v, err = openVault(ctx, VaultConfig{Backend: VaultFile, Dir: dir}, newFakeKeyring())
	require.NoError(t, err)
	assert.Equal(t, VaultFile, v.Backend())

	_, err = openVault(ctx, VaultConfig{Backend: "cloud", Dir: dir}, newFakeKeyring())
	assert.Error(t, err)
}

// The service with the keyring backend (fake keyring): the TOTP secret and
// SIP password end up in the keyring, not on disk.
func TestServiceWithKeyringVault(t *testing.T) {
	e := newTestEnv(t)
	kc := newFakeKeyring()
	e.vault = newKeyringVault(kc)
	e.restart()
	secret, _ := e.addEnrolled(nil, "root", RoleAdmin, adminPW)
	assert.Equal(t, secret, kc.items["softphone|root/totp-secret"])
	_, pending := kc.items["softphone|root/totp-pending"]
	assert.False(t, pending, "pending secret removed after enrolment")
	sess, err := e.svc.Login(context.Background(), "root", adminPW, e.code(secret, 0))
	require.NoError(t, err)
	assert.Equal(t, VaultKeyring, sess.VaultBackend())

	// If the keyring is gone later, the profile is not silently moved: its
	// record was authenticated with the keyring's machine key, which the
	// file fallback does not have.
	e.vault = newTestFileVault(t, e.dir)
	e.restart()
	e.clock.Advance(totpPeriod * time.Second)
	_, err = e.svc.Login(context.Background(), "root", adminPW, e.code(secret, 0))
	assert.ErrorIs(t, err, ErrProfileTampered)
}

func TestFileVaultGenerations(t *testing.T) {
	dir := t.TempDir()
	v := newTestFileVault(t, dir)
	g0, g1 := VaultRef{Profile: "alice"}, VaultRef{Profile: "alice", Gen: 1}
	require.NoError(t, v.Create(g0, alicePW))
	require.NoError(t, v.Create(VaultRef{Profile: "alice.b"}, alicePW), "a profile whose name extends another's")
	s, err := v.Open(g0, alicePW)
	require.NoError(t, err)
	require.NoError(t, s.Set(SecretSIPPassword, "sip"))

	_, err = v.Rekey(g0, g0, alicePW, newAlicePW)
	assert.Error(t, err)
	_, err = v.Rekey(g0, g1, "wrong password", newAlicePW)
	assert.ErrorIs(t, err, ErrVaultPassword)
	s1, err := v.Rekey(g0, g1, alicePW, newAlicePW)
	require.NoError(t, err)
	got, err := s1.Get(SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "sip", got)

	_, err = v.Open(g1, alicePW)
	assert.ErrorIs(t, err, ErrVaultPassword)
	_, err = v.Open(g0, alicePW)
	require.NoError(t, err, "the old generation stays until Prune")

	// A generation file copied into another generation's place does not open.
	b, err := os.ReadFile(filepath.Join(dir, "alice+1.vault"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "alice+2.vault"), b, 0o600))
	_, err = v.Open(VaultRef{Profile: "alice", Gen: 2}, newAlicePW)
	assert.ErrorIs(t, err, ErrVaultCorrupt)

	require.NoError(t, v.Prune(g1))
	assert.NoFileExists(t, filepath.Join(dir, "alice.vault"))
	assert.NoFileExists(t, filepath.Join(dir, "alice+2.vault"))
	assert.FileExists(t, filepath.Join(dir, "alice+1.vault"))
	assert.FileExists(t, filepath.Join(dir, "alice.b.vault"), "another profile's vault is untouched")
}
