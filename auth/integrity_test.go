package auth

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The agent owns the profile files. Editing the role, putting back an older
// copy (to restore the failure counter or a used TOTP step) or stripping the
// MAC is refused with a clear error and audited.
func TestProfileTamperRefused(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string, old []byte)
		want   string
	}{
		{"role edited", func(t *testing.T, path string, _ []byte) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			b = []byte(strings.Replace(string(b), `"role": "agent"`, `"role": "admin"`, 1))
			require.NoError(t, os.WriteFile(path, b, 0o600))
		}, "changed outside"},
		{"older copy put back", func(t *testing.T, path string, old []byte) {
			require.NoError(t, os.WriteFile(path, old, 0o600))
		}, "older copy"},
		{"MAC stripped", func(t *testing.T, path string, _ []byte) {
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			i := strings.Index(string(b), `"mac"`)
			require.Positive(t, i)
			b = append(b[:strings.LastIndex(string(b[:i]), ",")], []byte("\n}\n")...)
			require.NoError(t, os.WriteFile(path, b, 0o600))
		}, "no MAC"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			ctx := context.Background()
			admin, _ := e.addEnrolled(nil, "root", RoleAdmin, adminPW)
			asess, err := e.svc.Login(ctx, "root", adminPW, e.code(admin, 0))
			require.NoError(t, err)
			secret, _ := e.addEnrolled(asess, "ann", RoleAgent, adminPW+"-ann")
			path := profilePath(e.dir, "ann")
			old, err := os.ReadFile(path)
			require.NoError(t, err)
			// A failed login: the counter goes up (a newer generation).
			_, err = e.svc.Login(ctx, "ann", "wrong password!!", e.code(secret, 0))
			require.ErrorIs(t, err, ErrLoginRefused)
			e.clock.Advance(time.Minute)

			tc.tamper(t, path, old)
			e.restart()
			_, err = e.svc.Login(ctx, "ann", adminPW+"-ann", e.code(secret, 0))
			require.ErrorIs(t, err, ErrProfileTampered)
			require.Contains(t, err.Error(), tc.want)
			require.Equal(t, 1, e.audit.countActor(ActionProfileTampered, "ann"))
		})
	}
}

func TestProfileIntegrityRoundTrip(t *testing.T) {
	e := newTestEnv(t)
	secret, _ := e.addEnrolled(nil, "root", RoleAdmin, adminPW)
	p := e.loadProfile("root")
	require.NotEmpty(t, p.MAC)
	require.Positive(t, p.Gen)
	e.restart()
	_, err := e.svc.Login(context.Background(), "root", adminPW, e.code(secret, 0))
	require.NoError(t, err, "an untouched profile still logs in after a restart")
	require.Greater(t, e.loadProfile("root").Gen, p.Gen)
	fi, err := os.Stat(e.dir + "/../machine-keys/" + MachineProfileKey)
	require.NoError(t, err)
	if runtime.GOOS != "windows" { // Windows has no Unix modes; the file is under the user's own profile
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
}

// With the keyring, the counter lives in the keyring, not beside the file.
func TestProfileGenerationInKeyring(t *testing.T) {
	e := newTestEnv(t)
	kc := newFakeKeyring()
	e.vault = newKeyringVault(kc)
	e.restart()
	e.addEnrolled(nil, "root", RoleAdmin, adminPW)
	require.Equal(t, "softphone", KeyringService)
	gen := kc.items["softphone|profile-gen/root"]
	require.NotEmpty(t, gen)
	require.NotEmpty(t, kc.items["softphone|machine/"+MachineProfileKey])
}

// The dummy for unknown profiles is ready from New without a derivation,
// and a refused login costs the same number of argon2id runs whether the
// name is unknown or the password is wrong, the first unknown name
// included (timing would tell which names exist).
func TestUnknownProfileCostsWhatAWrongPasswordCosts(t *testing.T) {
	e := newTestEnv(t)
	e.addEnrolled(nil, "alice", RoleAdmin, alicePW)
	n := derivations.Load()
	e.restart()
	require.Zero(t, derivations.Load()-n, "New runs no argon2id")
	require.NotNil(t, e.svc.dummy.key, "dummy ready before any login")

	n = derivations.Load()
	_, err := e.svc.Login(context.Background(), "nobody", alicePW, "123456")
	require.ErrorIs(t, err, ErrLoginRefused)
	unknown := derivations.Load() - n
	n = derivations.Load()
	_, err = e.svc.Login(context.Background(), "alice", "wrong password!", "123456")
	require.ErrorIs(t, err, ErrLoginRefused)
	wrong := derivations.Load() - n
	t.Logf("argon2id runs: unknown name %d, wrong password %d", unknown, wrong)
	require.GreaterOrEqual(t, unknown, int64(1))
	require.Equal(t, wrong, unknown, "an unknown name and a wrong password cost the same argon2id work")
}

// A machine key file that others may read is refused (Unix modes).
func TestMachineKeyFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := t.TempDir()
	k, err := MachineKeyFile(dir, MachineAuditKey)
	require.NoError(t, err)
	k2, err := MachineKeyFile(dir, MachineAuditKey)
	require.NoError(t, err)
	require.Equal(t, k, k2, "the same key on every call")
	require.NoError(t, os.Chmod(dir+"/machine-keys/"+MachineAuditKey, 0o644))
	_, err = MachineKeyFile(dir, MachineAuditKey)
	require.ErrorContains(t, err, "readable by other users")
	_, err = MachineKeyFile(dir, "other")
	require.Error(t, err)
}
