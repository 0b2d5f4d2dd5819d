package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"softphone/audit"
	"softphone/auth"
	"softphone/config"
)

// Login for headless commands. Credentials never come from flags (they
// would show in the process list): the password and code come from
// SOFTPHONE_PASSWORD / SOFTPHONE_TOTP, or one line each on stdin, in that
// order. The profile is --profile NAME or SOFTPHONE_PROFILE.

// authFlags are the flags every auth command takes.
type authFlags struct {
	configPath string
	profile    string
}

func (a *authFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&a.configPath, "config", "", "configuration file (default: the user config dir's softphone/config.toml)")
	fs.StringVar(&a.profile, "profile", "", "login profile (default: $SOFTPHONE_PROFILE)")
}

func (a *authFlags) profileName() string {
	if a.profile != "" {
		return a.profile
	}
	return os.Getenv("SOFTPHONE_PROFILE")
}

// profileDir is where the profiles live: auth.profile_dir, or the default.
func profileDir(cfg config.Config) (string, error) {
	if cfg.Auth.ProfileDir != "" {
		return cfg.Auth.ProfileDir, nil
	}
	return auth.DefaultDir()
}

// openAuth reads the configuration (a missing file means the defaults) and
// builds the auth service. On failure it has printed the error event.
func openAuth(ctx context.Context, env *cli, a *authFlags) (*auth.Service, int) {
	cfg, _, err := loadConfig(a.configPath, false)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	if err := cfg.Auth.Validate(); err != nil {
		return nil, env.fail(exitConfig, err)
	}
	dir, err := profileDir(cfg)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	vault, err := auth.OpenVault(ctx, auth.VaultConfig{Backend: cfg.Auth.Vault, Dir: dir, Logger: env.log})
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	if err := applyPolicy(ctx, env, &cfg, vault.Backend(), dir); err != nil {
		return nil, env.fail(exitConfig, err)
	}
	alog, err := openAuditLog(ctx, vault, dir)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	env.closeAudit()
	env.auditLog = alog
	svc, err := auth.New(auth.Config{
		Dir:     dir,
		Vault:   vault,
		Auditor: alog,
		Policy:  auth.Policy{MaxFailures: cfg.Auth.MaxFailures, Lockout: cfg.Auth.Lockout},
		// The one permission table, with the machine policy's grants.
		Permissions: env.permissions(),
	}, auth.WithLogger(env.log))
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	return svc, exitOK
}

// credentials reads secrets from the environment or, line by line, stdin.
type credentials struct {
	env *cli
	in  *bufio.Reader
}

func newCredentials(env *cli) *credentials {
	return &credentials{env: env, in: bufio.NewReader(env.stdin)}
}

// read returns $envVar if set, else the next stdin line (prompting on a
// terminal, without echo where stty exists).
func (c *credentials) read(envVar, prompt string) (string, error) {
	if v := os.Getenv(envVar); v != "" {
		return v, nil
	}
	tty := isTerminal(c.env.stdin)
	if tty {
		fmt.Fprint(c.env.stderr, prompt)
		if restore := noEcho(); restore != nil {
			defer func() {
				restore()
				fmt.Fprintln(c.env.stderr)
			}()
		}
	}
	line, err := c.in.ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("%s: set %s or write it on stdin", strings.TrimSuffix(prompt, ": "), envVar)
	}
	return line, nil
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// noEcho turns terminal echo off with stty and returns the function that
// turns it on again; nil where that is not possible.
func noEcho() func() {
	if runtime.GOOS == "windows" {
		return nil
	}
	off := exec.Command("stty", "-echo")
	off.Stdin = os.Stdin
	if off.Run() != nil {
		return nil
	}
	return func() {
		on := exec.Command("stty", "echo")
		on.Stdin = os.Stdin
		_ = on.Run()
	}
}

// loginRefused prints the login_failed event for a refused login and
// returns its exit code; other errors become an error event.
func loginRefused(env *cli, profile string, err error) int {
	fields := map[string]any{"profile": profile, "error": err.Error(), "exit_code": exitLoginRefused}
	var le *auth.LockedError
	switch {
	case errors.As(err, &le):
		fields["reason"] = "locked"
		fields["locked_until"] = le.Until.UTC().Format(time.RFC3339)
	case errors.Is(err, auth.ErrLoginRefused):
		fields["reason"] = "refused"
	case errors.Is(err, auth.ErrEnrolmentRequired):
		fields["reason"] = "enrolment_required"
	case errors.Is(err, auth.ErrProfileTampered):
		fields["reason"] = "profile_tampered" // refused and audited; an admin must re-create the profile
	default:
		return env.fail(exitFailure, err)
	}
	env.emit("login_failed", fields)
	return exitLoginRefused
}

// login checks the named profile's password and code.
func login(ctx context.Context, env *cli, svc *auth.Service, creds *credentials, name string) (*auth.Session, int) {
	if name == "" {
		fmt.Fprintln(env.stderr, "softphone: no profile: pass --profile NAME or set SOFTPHONE_PROFILE")
		return nil, exitUsage
	}
	pw, err := creds.read("SOFTPHONE_PASSWORD", "Password: ")
	if err != nil {
		return nil, env.fail(exitUsage, err)
	}
	code, err := creds.read("SOFTPHONE_TOTP", "Code (or recovery code): ")
	if err != nil {
		return nil, env.fail(exitUsage, err)
	}
	sess, err := svc.Login(ctx, name, pw, code)
	if err != nil {
		return nil, loginRefused(env, name, err)
	}
	return sess, exitOK
}

// openAuditLog opens the hash-chained audit log beside the profile
// directory (the user config dir's softphone/audit.log by default), with the
// machine's anchor key. It stays open
// until the process exits; every entry is synced as it is written.
func openAuditLog(ctx context.Context, vault auth.Vault, profileDir string) (*audit.Log, error) {
	// Every mode has an anchor key (keyring, or a user-only key file), one
	// per machine: no false alarms between profiles.
	key, err := auth.AuditKey(ctx, vault.Backend(), profileDir)
	if err != nil {
		return nil, fmt.Errorf("audit key: %w", err)
	}
	return audit.Open(filepath.Join(filepath.Dir(profileDir), "audit.log"), audit.WithAnchorKey(key))
}
