package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// authCLI runs softphone commands against a private profile directory with
// the file vault.
type authCLI struct {
	t      *testing.T
	config string
	dir    string
}

func newAuthCLI(t *testing.T) *authCLI {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "profiles")
	cfg := filepath.Join(root, "config.toml")
	require.NoError(t, os.WriteFile(cfg, []byte(fmt.Sprintf("[auth]\nvault = \"file\"\nprofile_dir = %q\n", dir)), 0o600))
	for _, v := range []string{"SOFTPHONE_PROFILE", "SOFTPHONE_PASSWORD", "SOFTPHONE_TOTP", "SOFTPHONE_NEW_PASSWORD"} {
		t.Setenv(v, "")
	}
	return &authCLI{t: t, config: cfg, dir: dir}
}

// run executes one command with env vars set and stdin; it returns the exit
// code and the JSON events printed.
func (c *authCLI) run(env map[string]string, stdin string, args ...string) (int, []map[string]any, string) {
	c.t.Helper()
	return c.runStdin(env, strings.NewReader(stdin), args...)
}

// runStdin is run with a reader for stdin (commands during a call).
func (c *authCLI) runStdin(env map[string]string, stdin io.Reader, args ...string) (int, []map[string]any, string) {
	c.t.Helper()
	return c.runWatch(env, stdin, io.Discard, args...)
}

// runWatch is runStdin that also copies stdout to watch as it is written.
func (c *authCLI) runWatch(env map[string]string, stdin io.Reader, watch io.Writer, args ...string) (int, []map[string]any, string) {
	c.t.Helper()
	for k, v := range env {
		c.t.Setenv(k, v)
	}
	defer func() {
		for k := range env {
			os.Setenv(k, "")
		}
	}()
	args = append(args, "--config", c.config)
	var out, errb bytes.Buffer
	code := run(args, stdin, io.MultiWriter(&out, watch), &errb)
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(c.t, json.Unmarshal([]byte(line), &m), "stdout line %q", line)
		events = append(events, m)
	}
	return code, events, out.String() + errb.String()
}

// code returns the TOTP code offset steps from the step of base.
func stepCode(t *testing.T, secret string, base time.Time, offset int) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, base.Add(time.Duration(offset)*30*time.Second))
	require.NoError(t, err)
	return c
}

func TestAuthCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("runs argon2id at production cost")
	}
	c := newAuthCLI(t)
	const rootPW, alicePW = "root password 1", "alice password 1"

	// 1. No profile: refused with its exit code and a login_failed event.
	code, ev, _ := c.run(map[string]string{"SOFTPHONE_PASSWORD": rootPW, "SOFTPHONE_TOTP": "123456"}, "", "login", "--profile", "root")
	assert.Equal(t, exitLoginRefused, code)
	require.Len(t, ev, 1)
	assert.Equal(t, "login_failed", ev[0]["event"])
	assert.Equal(t, "refused", ev[0]["reason"])
	refusedText := ev[0]["error"]

	// 2. Bootstrap: the first profile without an admin login, admin only.
	code, _, _ = c.run(map[string]string{"SOFTPHONE_PASSWORD": alicePW}, "", "profile", "add", "alice", "--role", "agent")
	assert.Equal(t, exitUsage, code)
	code, ev, out := c.run(map[string]string{"SOFTPHONE_PASSWORD": rootPW}, "", "profile", "add", "root", "--role", "admin")
	require.Equal(t, exitOK, code, out)
	assert.Equal(t, "profile_added", ev[0]["event"])
	assert.Equal(t, true, ev[0]["bootstrap"])
	assert.Equal(t, "file", ev[0]["vault"])
	assert.Contains(t, out, "without an admin login")

	// 3. Not enrolled yet.
	code, ev, _ = c.run(map[string]string{"SOFTPHONE_PROFILE": "root"}, rootPW+"\n123456\n", "login")
	assert.Equal(t, exitLoginRefused, code)
	assert.Equal(t, "enrolment_required", ev[0]["reason"])

	// 4. Enrolment: the URI once, then confirmation with a code.
	qr := filepath.Join(t.TempDir(), "qr.png")
	code, ev, out = c.run(nil, rootPW+"\n", "enroll", "root", "--qr", qr)
	require.Equal(t, exitOK, code, out)
	require.Equal(t, "enrolment_started", ev[0]["event"])
	key, err := otp.NewKeyFromURL(ev[0]["uri"].(string))
	require.NoError(t, err)
	assert.Equal(t, "root", key.AccountName())
	png, err := os.ReadFile(qr)
	require.NoError(t, err)
	assert.Equal(t, "\x89PNG", string(png[:4]))

	// Leave room for three fresh codes (steps base-1, base, base+1): at least
	// 10 s of step base remain, and base+1 stays inside the ±1 window until
	// base+2 ends, 40 s later.
	now := time.Now()
	if s := now.Unix() % 30; s > 20 {
		time.Sleep(time.Duration(31-s) * time.Second)
		now = time.Now()
	}
	code, ev, out = c.run(map[string]string{"SOFTPHONE_TOTP": stepCode(t, key.Secret(), now, -1)}, rootPW+"\n", "enroll", "root", "--confirm")
	require.Equal(t, exitOK, code, out)
	require.Equal(t, "enrolled", ev[0]["event"])
	recovery := ev[0]["recovery_codes"].([]any)
	require.Len(t, recovery, 10)

	// 5. Later profiles need an admin login: admin creds, then the new password on stdin.
	code, _, _ = c.run(map[string]string{"SOFTPHONE_PASSWORD": alicePW}, "", "profile", "add", "alice")
	assert.Equal(t, exitUsage, code, "no admin profile given")
	code, ev, out = c.run(map[string]string{
		"SOFTPHONE_PROFILE": "root", "SOFTPHONE_PASSWORD": rootPW, "SOFTPHONE_TOTP": stepCode(t, key.Secret(), now, 0),
	}, alicePW+"\n", "profile", "add", "alice", "--role", "supervisor")
	require.Equal(t, exitOK, code, out)
	assert.Equal(t, "profile_added", ev[0]["event"])
	assert.Equal(t, "supervisor", ev[0]["role"])
	assert.Equal(t, false, ev[0]["bootstrap"])

	// 6. Wrong password: the same message as an unknown profile.
	code, ev, _ = c.run(nil, "wrong password\n"+stepCode(t, key.Secret(), now, 1)+"\n", "login", "--profile", "root")
	assert.Equal(t, exitLoginRefused, code)
	assert.Equal(t, refusedText, ev[0]["error"])

	// 7. Login with a recovery code (after the throttle delay).
	code, ev, out = c.run(nil, rootPW+"\n"+recovery[0].(string)+"\n", "login", "--profile", "root")
	require.Equal(t, exitOK, code, out)
	assert.Equal(t, "login", ev[0]["event"])
	assert.Equal(t, "root", ev[0]["profile"])
	assert.Equal(t, "admin", ev[0]["role"])
	assert.Equal(t, "recovery", ev[0]["method"])
	code, _, _ = c.run(nil, rootPW+"\n"+recovery[0].(string)+"\n", "login", "--profile", "root")
	assert.Equal(t, exitLoginRefused, code, "a recovery code works once")

	// 8. A locked profile (as after 10 failures) is refused until an admin unlocks it.
	path := filepath.Join(c.dir, "alice.json")
	var p map[string]any
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &p))
	p["failures"] = 10
	p["locked_until"] = time.Now().Add(30 * time.Minute).UTC().Format(time.RFC3339)
	b, err = json.Marshal(p)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	code, ev, _ = c.run(map[string]string{"SOFTPHONE_PASSWORD": alicePW, "SOFTPHONE_TOTP": "123456"}, "", "login", "--profile", "alice")
	assert.Equal(t, exitLoginRefused, code)
	assert.Equal(t, "locked", ev[0]["reason"])
	assert.NotEmpty(t, ev[0]["locked_until"])

	code, ev, out = c.run(map[string]string{"SOFTPHONE_PASSWORD": rootPW, "SOFTPHONE_TOTP": recovery[4].(string)},
		"", "profile", "unlock", "alice", "--profile", "root")
	require.Equal(t, exitOK, code, out)
	assert.Equal(t, "profile_unlocked", ev[0]["event"])
	code, ev, _ = c.run(map[string]string{"SOFTPHONE_PASSWORD": alicePW, "SOFTPHONE_TOTP": "123456"}, "", "login", "--profile", "alice")
	assert.Equal(t, exitLoginRefused, code)
	assert.Equal(t, "enrolment_required", ev[0]["reason"], "no longer locked")

	// 9. Listing needs an admin login too (here with another recovery code).
	code, ev, out = c.run(map[string]string{"SOFTPHONE_PASSWORD": rootPW, "SOFTPHONE_TOTP": recovery[1].(string)},
		"", "profile", "list", "--profile", "root")
	require.Equal(t, exitOK, code, out)
	require.Len(t, ev, 2)
	assert.Equal(t, "alice", ev[0]["profile"])
	assert.Equal(t, false, ev[0]["enrolled"])
	assert.Equal(t, "root", ev[1]["profile"])
	assert.Equal(t, float64(7), ev[1]["recovery_codes_remaining"])

	// 10. Changing the password: the current one and a fresh code, then the new one.
	const newRootPW = "root password 2"
	code, _, _ = c.run(map[string]string{"SOFTPHONE_NEW_PASSWORD": newRootPW}, rootPW+"\n"+recovery[2].(string)+"\n",
		"profile", "passwd", "--profile", "root")
	assert.Equal(t, exitLoginRefused, code, "a recovery code does not change the password")
	code, ev, out = c.run(map[string]string{"SOFTPHONE_PROFILE": "root"}, rootPW+"\n"+stepCode(t, key.Secret(), now, 1)+"\n"+newRootPW+"\n",
		"profile", "passwd")
	require.Equal(t, exitOK, code, out)
	assert.Equal(t, "password_changed", ev[0]["event"])
	code, ev, out = c.run(nil, newRootPW+"\n"+recovery[3].(string)+"\n", "login", "--profile", "root")
	require.Equal(t, exitOK, code, out)
	assert.Equal(t, "admin", ev[0]["role"])

	// The hash-chained audit log has the events, verifies, and holds no
	// password or code anywhere.
	logPath := filepath.Join(filepath.Dir(c.dir), "audit.log")
	audit, err := os.ReadFile(logPath)
	require.NoError(t, err)
	code, ev, out = c.run(nil, "", "audit", "verify", "--log", logPath)
	require.Equal(t, exitOK, code, out)
	assert.Equal(t, true, ev[len(ev)-1]["ok"], out)
	for _, a := range []string{"auth.profile_added", "auth.enrolled", "auth.login_failed", "auth.login", "auth.recovery_code_used", "auth.unlock"} {
		assert.Contains(t, string(audit), `"`+a+`"`)
	}
	for _, s := range []string{rootPW, alicePW, key.Secret(), recovery[0].(string)} {
		assert.NotContains(t, string(audit), s)
	}
}

func TestAuthCommandUsage(t *testing.T) {
	c := newAuthCLI(t)
	tests := []struct {
		name string
		args []string
	}{
		{"profile without subcommand", []string{"profile"}},
		{"profile unknown subcommand", []string{"profile", "delete", "x"}},
		{"profile add without name", []string{"profile", "add"}},
		{"enroll without name", []string{"enroll"}},
		{"login with a stray argument", []string{"login", "root"}},
		{"login without profile", []string{"login"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, _ := c.run(map[string]string{"SOFTPHONE_PASSWORD": "x", "SOFTPHONE_TOTP": "1"}, "", tt.args...)
			assert.Equal(t, exitUsage, code)
		})
	}
}
