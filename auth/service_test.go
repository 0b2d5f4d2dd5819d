package auth

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

const (
	adminPW = "admin password 1"
	alicePW = "alice password 1"
)

// setup makes an enrolled admin (bootstrap) and an enrolled agent "alice".
func setup(t *testing.T) (e *testEnv, admin *Session, aliceSecret string, aliceCodes []string) {
	t.Helper()
	e = newTestEnv(t)
	ctx := context.Background()
	adminSecret, _ := e.addEnrolled(nil, "root", RoleAdmin, adminPW)
	admin, err := e.svc.Login(ctx, "root", adminPW, e.code(adminSecret, 0))
	require.NoError(t, err)
	aliceSecret, aliceCodes = e.addEnrolled(admin, "alice", RoleAgent, alicePW)
	return e, admin, aliceSecret, aliceCodes
}

func TestLoginSucceedsAndReportsRole(t *testing.T) {
	e, _, secret, _ := setup(t)
	sess, err := e.svc.Login(context.Background(), "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	assert.Equal(t, "alice", sess.Profile())
	assert.Equal(t, RoleAgent, sess.Role())
	assert.Equal(t, MethodTOTP, sess.Method())
	assert.Equal(t, VaultFile, sess.VaultBackend())
	assert.True(t, sess.Can(PermReveal))
	assert.False(t, sess.Can(PermAdmin))
	ev, ok := e.audit.last(ActionLogin)
	require.True(t, ok)
	assert.Equal(t, "alice", ev.Actor)
	assert.Equal(t, "totp", ev.Attrs["method"])
}

func TestReplayOfJustUsedCodeRefused(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	code := e.code(secret, 0)
	_, err := e.svc.Login(ctx, "alice", alicePW, code)
	require.NoError(t, err)

	_, err = e.svc.Login(ctx, "alice", alicePW, code)
	assert.ErrorIs(t, err, ErrLoginRefused, "same code, same step")

	// Also after a restart, and half a step later when the code is still
	// inside the ±1 window.
	e.restart()
	e.clock.Advance(20 * time.Second)
	_, err = e.svc.Login(ctx, "alice", alicePW, code)
	assert.ErrorIs(t, err, ErrLoginRefused, "replay after restart")
}

func TestCodeFromTwoStepsAgoRefused(t *testing.T) {
	e, _, secret, _ := setup(t)
	e.clock.Advance(2 * totpPeriod * time.Second) // enrolment's step is now 3 steps back
	old := e.code(secret, -2)
	_, err := e.svc.Login(context.Background(), "alice", alicePW, old)
	assert.ErrorIs(t, err, ErrLoginRefused)
	// One step ago is inside the window and fresh: accepted.
	_, err = e.svc.Login(context.Background(), "alice", alicePW, e.code(secret, -1))
	assert.NoError(t, err)
}

func TestRefusalsDoNotRevealWhichFactor(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	cases := []struct{ name, profile, password, code string }{
		{"wrong password, right code", "alice", "wrong password!", e.code(secret, 0)},
		{"right password, wrong code", "alice", alicePW, wrongCode(e.code(secret, -1), e.code(secret, 0), e.code(secret, 1))},
		{"both wrong", "alice", "wrong password!", "123456"},
		{"unknown profile", "nobody", alicePW, "123456"},
		{"invalid profile name", "../etc/passwd", alicePW, "123456"},
		{"recovery-shaped garbage", "alice", alicePW, "AAAA-BBBB-CCCC-DDDD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.svc.Login(ctx, c.profile, c.password, c.code)
			require.Error(t, err)
			assert.Same(t, ErrLoginRefused, err, "exactly the same error value and text")
		})
	}
	ev, ok := e.audit.last(ActionLoginFailed)
	require.True(t, ok)
	assert.Equal(t, "alice", ev.Actor)
	assert.Equal(t, 2, e.audit.countActor(ActionLoginFailed, ActorUnknown), "typed unknown names are not recorded")
}

func TestLockoutAfterTenFailuresSurvivesRestart(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	for i := 1; i <= 9; i++ {
		_, err := e.svc.Login(ctx, "alice", "wrong password!", e.code(secret, 0))
		require.ErrorIs(t, err, ErrLoginRefused, "failure %d", i)
		require.NotErrorIs(t, err, ErrLocked, "failure %d", i)
	}
	// The growing delay was waited before attempts 2..9.
	assert.Equal(t, []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second,
		16 * time.Second, 30 * time.Second, 30 * time.Second, 30 * time.Second}, e.clock.Sleeps())

	_, err := e.svc.Login(ctx, "alice", "wrong password!", "000000")
	var le *LockedError
	require.ErrorAs(t, err, &le, "the 10th failure locks")
	assert.Equal(t, e.clock.Now().Add(30*time.Minute), le.Until)
	assert.Equal(t, 1, e.audit.count(ActionLockout))

	// Right credentials are refused while locked, also after a restart.
	_, err = e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	assert.ErrorIs(t, err, ErrLocked)
	e.restart()
	e.clock.Advance(29 * time.Minute)
	_, err = e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	assert.ErrorIs(t, err, ErrLocked, "still locked after restart")
	p := e.loadProfile("alice")
	assert.Equal(t, 10, p.Failures)

	// After 30 minutes the lock ends by itself.
	e.clock.Advance(time.Minute)
	sess, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	assert.Equal(t, "alice", sess.Profile())
	assert.Equal(t, 0, e.loadProfile("alice").Failures)
}

func TestFailureCounterSurvivesRestart(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	for range 5 {
		_, err := e.svc.Login(ctx, "alice", "wrong password!", "000000")
		require.ErrorIs(t, err, ErrLoginRefused)
	}
	e.restart()
	for range 4 {
		_, err := e.svc.Login(ctx, "alice", "wrong password!", "000000")
		require.NotErrorIs(t, err, ErrLocked)
	}
	e.restart()
	_, err := e.svc.Login(ctx, "alice", alicePW, "000001")
	assert.ErrorIs(t, err, ErrLocked, "5+4+1 failures across two restarts")
	_, err = e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	assert.ErrorIs(t, err, ErrLocked)
}

func TestSuccessResetsFailures(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	for range 9 {
		_, _ = e.svc.Login(ctx, "alice", "wrong password!", "000000")
	}
	_, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	_, err = e.svc.Login(ctx, "alice", "wrong password!", "000000")
	assert.Same(t, ErrLoginRefused, err, "counter restarted at zero")
}

func TestAdminUnlock(t *testing.T) {
	e, admin, secret, _ := setup(t)
	ctx := context.Background()
	for range 10 {
		_, _ = e.svc.Login(ctx, "alice", "wrong password!", "000000")
	}
	_, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.ErrorIs(t, err, ErrLocked)

	e.clock.Advance(totpPeriod * time.Second)
	require.NoError(t, e.svc.AddProfile(ctx, admin, "bob", RoleSupervisor, "bob password 1"))
	err = e.svc.Unlock(ctx, nil, "alice")
	assert.ErrorIs(t, err, ErrPermission)

	require.NoError(t, e.svc.Unlock(ctx, admin, "alice"))
	assert.Equal(t, 1, e.audit.count(ActionUnlock))
	_, err = e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	assert.NoError(t, err)

	admin.Close()
	assert.ErrorIs(t, e.svc.Unlock(ctx, admin, "alice"), ErrPermission, "a closed admin session is no admin")
	assert.ErrorIs(t, e.svc.Unlock(ctx, nil, "alice"), ErrPermission)
}

func TestNonAdminCannotAdminister(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	alice, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	assert.ErrorIs(t, e.svc.AddProfile(ctx, alice, "eve", RoleAdmin, "eve password 1"), ErrPermission)
	assert.ErrorIs(t, e.svc.Unlock(ctx, alice, "alice"), ErrPermission)
	_, err = e.svc.Profiles(alice)
	assert.ErrorIs(t, err, ErrPermission)
}

func TestRecoveryCodeWorksOnce(t *testing.T) {
	e, _, _, codes := setup(t)
	ctx := context.Background()
	require.Len(t, codes, RecoveryCodeCount)

	sess, err := e.svc.Login(ctx, "alice", alicePW, codes[3])
	require.NoError(t, err)
	assert.Equal(t, MethodRecovery, sess.Method())
	ev, ok := e.audit.last(ActionRecoveryCodeUsed)
	require.True(t, ok)
	assert.Equal(t, "9", ev.Attrs["remaining"])

	_, err = e.svc.Login(ctx, "alice", alicePW, codes[3])
	assert.Same(t, ErrLoginRefused, err, "a recovery code works once")

	// Typed without dashes and in lower case, another code still works.
	typed := strings.ToLower(strings.ReplaceAll(codes[7], "-", ""))
	_, err = e.svc.Login(ctx, "alice", alicePW, typed)
	require.NoError(t, err)
	assert.Len(t, e.loadProfile("alice").RecoveryHashes, 8)

	// A recovery code needs the right password too.
	_, err = e.svc.Login(ctx, "alice", "wrong password!", codes[0])
	assert.Same(t, ErrLoginRefused, err)
	assert.Len(t, e.loadProfile("alice").RecoveryHashes, 8, "not consumed by a failed login")
}

func TestEnrolment(t *testing.T) {
	e, admin, _, _ := setup(t)
	ctx := context.Background()
	const pw = "carol password"
	require.NoError(t, e.svc.AddProfile(ctx, admin, "carol", RoleAgent, pw))

	_, err := e.svc.Login(ctx, "carol", pw, "123456")
	assert.ErrorIs(t, err, ErrEnrolmentRequired)
	assert.Equal(t, 0, e.loadProfile("carol").Failures, "a right password is not a failure")
	_, err = e.svc.Login(ctx, "carol", "wrong password", "123456")
	assert.Same(t, ErrLoginRefused, err, "enrolment state is not shown to a wrong password")

	_, err = e.svc.BeginEnrolment(ctx, "carol", "wrong password")
	assert.Same(t, ErrLoginRefused, err)
	_, err = e.svc.CompleteEnrolment(ctx, "carol", pw, "123456")
	assert.ErrorIs(t, err, ErrNoPendingEnrolment)

	first, err := e.svc.BeginEnrolment(ctx, "carol", pw)
	require.NoError(t, err)
	enr, err := e.svc.BeginEnrolment(ctx, "carol", pw)
	require.NoError(t, err)
	assert.NotEqual(t, first.Secret, enr.Secret, "starting again makes a new secret")

	_, err = e.svc.CompleteEnrolment(ctx, "carol", pw, e.code(first.Secret, 0))
	assert.Same(t, ErrLoginRefused, err, "the replaced secret's code is refused")
	codes, err := e.svc.CompleteEnrolment(ctx, "carol", pw, e.code(enr.Secret, 0))
	require.NoError(t, err)
	assert.Len(t, codes, RecoveryCodeCount)
	seen := map[string]bool{}
	for _, c := range codes {
		assert.Regexp(t, `^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$`, c)
		assert.False(t, seen[c], "codes are distinct")
		seen[c] = true
	}
	assert.Equal(t, 1, e.audit.countActor(ActionEnrolled, "carol"))

	_, err = e.svc.BeginEnrolment(ctx, "carol", pw)
	assert.ErrorIs(t, err, ErrAlreadyEnrolled)

	// The enrolment code cannot be replayed for a login.
	_, err = e.svc.Login(ctx, "carol", pw, e.code(enr.Secret, 0))
	assert.Same(t, ErrLoginRefused, err)

	// No secret, code or password on disk in clear.
	for _, f := range []string{"carol.json", "carol.vault"} {
		b, err := os.ReadFile(e.dir + "/" + f)
		require.NoError(t, err)
		assert.NotContains(t, string(b), enr.Secret, f)
		assert.NotContains(t, string(b), pw, f)
		for _, c := range codes {
			assert.NotContains(t, string(b), c, f)
			assert.NotContains(t, string(b), strings.ReplaceAll(c, "-", ""), f)
		}
	}
}

func TestBootstrapRules(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	need, err := e.svc.NeedsBootstrap()
	require.NoError(t, err)
	assert.True(t, need)

	assert.ErrorIs(t, e.svc.AddProfile(ctx, nil, "alice", RoleAgent, alicePW), ErrBootstrapAdmin)
	assert.ErrorIs(t, e.svc.AddProfile(ctx, nil, "root", RoleAdmin, "short"), ErrWeakPassword)
	assert.ErrorIs(t, e.svc.AddProfile(ctx, nil, "../root", RoleAdmin, adminPW), ErrInvalidProfileName)
	assert.ErrorIs(t, e.svc.AddProfile(ctx, nil, "root", Role("god"), adminPW), ErrInvalidRole)
	require.NoError(t, e.svc.AddProfile(ctx, nil, "root", RoleAdmin, adminPW))
	ev, ok := e.audit.last(ActionProfileAdded)
	require.True(t, ok)
	assert.Equal(t, ActorBootstrap, ev.Actor)

	need, err = e.svc.NeedsBootstrap()
	require.NoError(t, err)
	assert.False(t, need)
	assert.ErrorIs(t, e.svc.AddProfile(ctx, nil, "alice", RoleAdmin, alicePW), ErrPermission,
		"only the first profile is added without an admin login")
}

func TestAddProfileDuplicate(t *testing.T) {
	e, admin, _, _ := setup(t)
	assert.ErrorIs(t, e.svc.AddProfile(context.Background(), admin, "alice", RoleAgent, alicePW), ErrProfileExists)
}

func TestSessionSecrets(t *testing.T) {
	e, _, secret, _ := setup(t)
	ctx := context.Background()
	sess, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)

	_, err = sess.Secret(SecretSIPPassword)
	assert.ErrorIs(t, err, ErrSecretNotFound)
	require.NoError(t, sess.SetSecret(SecretSIPPassword, "sip-secret-1"))
	_, err = sess.Secret(SecretTOTP)
	assert.ErrorIs(t, err, ErrSecretNotReleasable)
	assert.ErrorIs(t, sess.SetSecret(SecretTOTP, "x"), ErrSecretNotReleasable)
	_, err = sess.Secret("other")
	assert.ErrorIs(t, err, ErrUnknownSecret)
	require.NoError(t, sess.Close())
	require.NoError(t, sess.Close(), "Close is idempotent")
	_, err = sess.Secret(SecretSIPPassword)
	assert.ErrorIs(t, err, ErrSessionClosed)

	e.clock.Advance(totpPeriod * time.Second)
	again, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	got, err := again.Secret(SecretSIPPassword)
	require.NoError(t, err)
	assert.Equal(t, "sip-secret-1", got)
}

func TestAuditFailureBlocksLogin(t *testing.T) {
	e, _, secret, _ := setup(t)
	e.audit.mu.Lock()
	e.audit.err = errors.New("disk full")
	e.audit.mu.Unlock()
	_, err := e.svc.Login(context.Background(), "alice", alicePW, e.code(secret, 0))
	assert.ErrorContains(t, err, "audit log is unavailable")
}

func TestCorruptProfileIsNotOverwritten(t *testing.T) {
	e, _, secret, _ := setup(t)
	path := profilePath(e.dir, "alice")
	require.NoError(t, os.WriteFile(path, []byte(`{"version":1,"name":"alice",`), 0o600))
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	_, err = e.svc.Login(context.Background(), "alice", alicePW, e.code(secret, 0))
	assert.ErrorIs(t, err, ErrCorruptProfile)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, before, after)
}

func TestProfileFileMode(t *testing.T) {
	e, _, _, _ := setup(t)
	for _, f := range []string{"alice.json", "alice.vault"} {
		st, err := os.Stat(e.dir + "/" + f)
		require.NoError(t, err)
		if runtime.GOOS != "windows" { // Windows has no Unix modes; the per-user profile directory protects the file
			assert.Equal(t, os.FileMode(0o600), st.Mode().Perm(), f)
		}
	}
	ents, err := os.ReadDir(e.dir)
	require.NoError(t, err)
	for _, d := range ents {
		assert.False(t, strings.HasPrefix(d.Name(), ".tmp-"), "no temporary files left: %s", d.Name())
	}
}

func TestRehashOnLoginWhenParamsChange(t *testing.T) {
	e, _, secret, _ := setup(t)
	before := e.loadProfile("alice").Password
	svc, err := New(Config{Dir: e.dir, Vault: e.vault, Auditor: e.audit,
		Policy: Policy{Hash: HashParams{Time: 2, MemoryKiB: 2048, Threads: 1, SaltLen: 16, KeyLen: 32}}},
		WithClock(e.clock.Now), WithSleep(e.clock.Sleep))
	require.NoError(t, err)
	_, err = svc.Login(context.Background(), "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	after := e.loadProfile("alice").Password
	assert.NotEqual(t, before, after)
	assert.Contains(t, after, "$m=2048,t=2,p=1$")
}

func TestProfilesListing(t *testing.T) {
	e, admin, _, _ := setup(t)
	list, err := e.svc.Profiles(admin)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "alice", list[0].Name)
	assert.Equal(t, RoleAgent, list[0].Role)
	assert.True(t, list[0].Enrolled)
	assert.Equal(t, RecoveryCodeCount, list[0].RecoveryCodesRemaining)
	assert.Equal(t, "root", list[1].Name)
}

func TestThrottleHonoursContext(t *testing.T) {
	e, _, _, _ := setup(t)
	_, _ = e.svc.Login(context.Background(), "alice", "wrong password!", "000000")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.svc.Login(ctx, "alice", alicePW, "000000")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, e.loadProfile("alice").Failures, "a cancelled attempt is not counted")
}

// Concurrent failures are all counted (no lost updates), also between two
// Services over the same directory (as two processes would be: the store's
// file lock serialises them, flock locks conflict between open files).
func TestConcurrentFailuresAllCounted(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent()) // the shared D-Bus connection may predate the test
	e, _, _, _ := setup(t)
	other, err := New(Config{Dir: e.dir, Vault: e.vault, Auditor: e.audit, Policy: Policy{Hash: testHash}},
		WithClock(e.clock.Now), WithSleep(e.clock.Sleep), WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 8 {
		svc := e.svc
		if i%2 == 1 {
			svc = other
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _ = svc.Login(context.Background(), "alice", "wrong password!", "000000")
		}()
	}
	wg.Wait()
	assert.Equal(t, 8, e.loadProfile("alice").Failures)
}

func TestPolicyLimits(t *testing.T) {
	dir := t.TempDir()
	v := newTestFileVault(t, dir)
	for _, p := range []Policy{
		{MaxFailures: 11},
		{Lockout: 10 * time.Minute},
		{BaseDelay: time.Minute, MaxDelay: time.Second},
		{Hash: HashParams{Time: 0, MemoryKiB: 1, Threads: 1, SaltLen: 16, KeyLen: 32}},
	} {
		_, err := New(Config{Dir: dir, Vault: v, Policy: p})
		assert.Error(t, err, "%+v", p)
	}
	_, err := New(Config{Dir: dir, Vault: v, Policy: Policy{MaxFailures: 5, Lockout: time.Hour}})
	assert.NoError(t, err)
}

func TestCompleteEnrolmentSessionLogsIn(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	require.NoError(t, e.svc.AddProfile(ctx, nil, "root", RoleAdmin, adminPW))
	enr, err := e.svc.BeginEnrolment(ctx, "root", adminPW)
	require.NoError(t, err)
	codes, sess, err := e.svc.CompleteEnrolmentSession(ctx, "root", adminPW, e.code(enr.Secret, 0))
	require.NoError(t, err)
	assert.Len(t, codes, RecoveryCodeCount)
	require.NotNil(t, sess)
	assert.True(t, sess.Can(PermAdmin))
	ev, ok := e.audit.last(ActionLogin)
	require.True(t, ok)
	assert.Equal(t, "enrolment", ev.Attrs["method"])
	_, err = e.svc.Login(ctx, "root", adminPW, e.code(enr.Secret, 0))
	assert.Same(t, ErrLoginRefused, err, "the enrolment code is used up")
}

func TestResetEnrolment(t *testing.T) {
	e, admin, secret, codes := setup(t)
	ctx := context.Background()
	alice, err := e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	assert.ErrorIs(t, e.svc.ResetEnrolment(ctx, alice, "alice"), ErrPermission)

	require.NoError(t, e.svc.ResetEnrolment(ctx, admin, "alice"))
	assert.Equal(t, 1, e.audit.count(ActionEnrolmentReset))
	e.clock.Advance(totpPeriod * time.Second)
	_, err = e.svc.Login(ctx, "alice", alicePW, e.code(secret, 0))
	assert.ErrorIs(t, err, ErrEnrolmentRequired, "the old secret no longer logs in")
	_, err = e.svc.Login(ctx, "alice", alicePW, codes[0])
	assert.ErrorIs(t, err, ErrEnrolmentRequired)

	enr, err := e.svc.BeginEnrolment(ctx, "alice", alicePW)
	require.NoError(t, err)
	assert.NotEqual(t, secret, enr.Secret)
	_, err = e.svc.CompleteEnrolment(ctx, "alice", alicePW, e.code(enr.Secret, 0))
	require.NoError(t, err)
	_, err = e.svc.Login(ctx, "alice", alicePW, codes[1])
	assert.Same(t, ErrLoginRefused, err, "old recovery codes are gone")
	assert.ErrorIs(t, e.svc.ResetEnrolment(ctx, admin, "nobody"), ErrNoSuchProfile)
}

func TestLogout(t *testing.T) {
	e, _, secret, _ := setup(t)
	sess, err := e.svc.Login(context.Background(), "alice", alicePW, e.code(secret, 0))
	require.NoError(t, err)
	require.NoError(t, e.svc.Logout(sess))
	assert.False(t, sess.Open())
	require.NoError(t, e.svc.Logout(sess), "logging out twice is harmless")
	assert.Equal(t, 1, e.audit.countActor(ActionLogout, "alice"))
}
