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
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"softphone/auth"
	"softphone/config"
)

// Login and profile administration, headless. Credentials never come from
// flags (they would show in the process list): the password and code come
// from SOFTPHONE_PASSWORD / SOFTPHONE_TOTP, or one line each on stdin, in
// that order; a new profile's password from SOFTPHONE_NEW_PASSWORD or the
// next stdin line. The profile is --profile NAME or SOFTPHONE_PROFILE.
//
// Bootstrap: while no profile exists, "profile add" creates the first one
// without an admin login; it must have the admin role.
func init() {
	register(command{name: "login", summary: "check password and code of --profile NAME; prints the profile and role", run: runLogin})
	register(command{name: "enroll", summary: "enroll NAME [--qr FILE] | enroll NAME --confirm: two-factor enrolment", run: runEnroll})
	register(command{name: "profile", summary: "profile add NAME --role ROLE | unlock NAME | reset-2fa NAME | list (admin) | passwd", run: runProfile})
}

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

// openAuth reads the configuration (a missing file means the defaults) and
// builds the auth service. On failure it has printed the error event.
func openAuth(ctx context.Context, env *cli, a *authFlags) (*auth.Service, int) {
	path := a.configPath
	if path == "" {
		var err error
		if path, err = config.DefaultPath(); err != nil {
			return nil, env.fail(exitConfig, err)
		}
	}
	cfg, err := config.Load(path)
	if err != nil && !(errors.Is(err, os.ErrNotExist) && a.configPath == "") {
		return nil, env.fail(exitConfig, err)
	}
	if err := cfg.Auth.Validate(); err != nil {
		return nil, env.fail(exitConfig, err)
	}
	dir := cfg.Auth.ProfileDir
	if dir == "" {
		if dir, err = auth.DefaultDir(); err != nil {
			return nil, env.fail(exitConfig, err)
		}
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
	// argon2id (password check and file-vault key) just used some 200 MB;
	// return it to the OS now, or an idle headless phone keeps it for minutes.
	debug.FreeOSMemory()
	if err != nil {
		return nil, loginRefused(env, name, err)
	}
	return sess, exitOK
}

func runLogin(ctx context.Context, env *cli, args []string) int {
	var af authFlags
	fs := newFlagSet(env, "login")
	af.add(fs)
	if err := fs.Parse(reorderFlags(args, fs)); err != nil || fs.NArg() != 0 {
		return exitUsage
	}
	svc, code := openAuth(ctx, env, &af)
	if svc == nil {
		return code
	}
	sess, code := login(ctx, env, svc, newCredentials(env), af.profileName())
	if sess == nil {
		return code
	}
	defer sess.Close()
	env.emit("login", map[string]any{
		"profile": sess.Profile(), "role": sess.Role().String(),
		"method": sess.Method(), "vault": sess.VaultBackend(),
	})
	return exitOK
}

func runEnroll(ctx context.Context, env *cli, args []string) int {
	var af authFlags
	fs := newFlagSet(env, "enroll")
	af.add(fs)
	confirm := fs.Bool("confirm", false, "confirm the enrolment with a code from the app; prints the recovery codes")
	qr := fs.String("qr", "", "also write the QR code as PNG to this file")
	if err := fs.Parse(reorderFlags(args, fs)); err != nil || fs.NArg() > 1 {
		return exitUsage
	}
	name := af.profileName()
	if fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	if name == "" {
		fmt.Fprintln(env.stderr, "usage: softphone enroll NAME [--qr FILE] | softphone enroll NAME --confirm")
		return exitUsage
	}
	svc, code := openAuth(ctx, env, &af)
	if svc == nil {
		return code
	}
	creds := newCredentials(env)
	pw, err := creds.read("SOFTPHONE_PASSWORD", "Password: ")
	if err != nil {
		return env.fail(exitUsage, err)
	}
	if !*confirm {
		enr, err := svc.BeginEnrolment(ctx, name, pw)
		if err != nil {
			return enrolFailed(env, name, err)
		}
		fields := map[string]any{"profile": name, "uri": enr.URI, "secret": enr.Secret}
		if *qr != "" {
			if err := os.WriteFile(*qr, enr.QRPNG, 0o600); err != nil {
				return env.fail(exitFailure, fmt.Errorf("write QR code: %w", err))
			}
			fields["qr_png"] = *qr
		}
		env.emit("enrolment_started", fields)
		fmt.Fprintf(env.stderr, "Add the URI (or the secret, or the QR code) to your authenticator app, then run:\n  softphone enroll %s --confirm\n", name)
		return exitOK
	}
	totp, err := creds.read("SOFTPHONE_TOTP", "Code from the app: ")
	if err != nil {
		return env.fail(exitUsage, err)
	}
	codes, err := svc.CompleteEnrolment(ctx, name, pw, totp)
	if err != nil {
		return enrolFailed(env, name, err)
	}
	env.emit("enrolled", map[string]any{"profile": name, "recovery_codes": codes})
	fmt.Fprintln(env.stderr, "Keep the recovery codes somewhere safe: each works once instead of a code, and they are not shown again.")
	return exitOK
}

func enrolFailed(env *cli, name string, err error) int {
	if errors.Is(err, auth.ErrAlreadyEnrolled) || errors.Is(err, auth.ErrNoPendingEnrolment) {
		return env.fail(exitUsage, err)
	}
	return loginRefused(env, name, err)
}

func runProfile(ctx context.Context, env *cli, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(env.stderr, "usage: softphone profile add NAME --role ROLE | unlock NAME | reset-2fa NAME | list | passwd")
		return exitUsage
	}
	var af authFlags
	fs := newFlagSet(env, "profile "+args[0])
	af.add(fs)
	roleFlag := fs.String("role", "agent", "role of the new profile: agent, supervisor or admin")
	if err := fs.Parse(reorderFlags(args[1:], fs)); err != nil {
		return exitUsage
	}
	want := map[string]int{"add": 1, "unlock": 1, "reset-2fa": 1, "list": 0, "passwd": 0}
	n, ok := want[args[0]]
	if !ok || fs.NArg() != n {
		fmt.Fprintln(env.stderr, "usage: softphone profile add NAME --role ROLE | unlock NAME | reset-2fa NAME | list | passwd")
		return exitUsage
	}
	svc, code := openAuth(ctx, env, &af)
	if svc == nil {
		return code
	}
	creds := newCredentials(env)
	switch args[0] {
	case "passwd":
		return profilePasswd(ctx, env, svc, creds, af.profileName())
	case "add":
		return profileAdd(ctx, env, svc, creds, &af, fs.Arg(0), *roleFlag)
	case "unlock":
		admin, code := login(ctx, env, svc, creds, af.profileName())
		if admin == nil {
			return code
		}
		defer admin.Close()
		if err := svc.Unlock(ctx, admin, fs.Arg(0)); err != nil {
			return adminFailed(env, err)
		}
		env.emit("profile_unlocked", map[string]any{"profile": fs.Arg(0), "by": admin.Profile()})
		return exitOK
	case "reset-2fa":
		admin, code := login(ctx, env, svc, creds, af.profileName())
		if admin == nil {
			return code
		}
		defer admin.Close()
		if err := svc.ResetEnrolment(ctx, admin, fs.Arg(0)); err != nil {
			return adminFailed(env, err)
		}
		env.emit("enrolment_reset", map[string]any{"profile": fs.Arg(0), "by": admin.Profile(),
			"next": "softphone enroll " + fs.Arg(0)})
		return exitOK
	default: // list
		admin, code := login(ctx, env, svc, creds, af.profileName())
		if admin == nil {
			return code
		}
		defer admin.Close()
		list, err := svc.Profiles(admin)
		if err != nil {
			return adminFailed(env, err)
		}
		for _, p := range list {
			f := map[string]any{
				"profile": p.Name, "role": p.Role.String(), "enrolled": p.Enrolled, "failures": p.Failures,
				"vault": p.Vault, "recovery_codes_remaining": p.RecoveryCodesRemaining,
			}
			if !p.LockedUntil.IsZero() {
				f["locked_until"] = p.LockedUntil.UTC().Format(time.RFC3339)
			}
			env.emit("profile", f)
		}
		return exitOK
	}
}

func profileAdd(ctx context.Context, env *cli, svc *auth.Service, creds *credentials, af *authFlags, name, roleName string) int {
	role, err := auth.ParseRole(roleName)
	if err != nil {
		return env.fail(exitUsage, err)
	}
	if err := auth.ValidProfileName(name); err != nil {
		return env.fail(exitUsage, err)
	}
	bootstrap, err := svc.NeedsBootstrap()
	if err != nil {
		return env.fail(exitFailure, err)
	}
	var admin *auth.Session
	newPWVar := "SOFTPHONE_NEW_PASSWORD"
	if bootstrap {
		fmt.Fprintln(env.stderr, "softphone: no profile exists yet: creating the first one without an admin login (it must be an admin)")
		if os.Getenv(newPWVar) == "" {
			newPWVar = "SOFTPHONE_PASSWORD"
		}
	} else {
		var code int
		if admin, code = login(ctx, env, svc, creds, af.profileName()); admin == nil {
			return code
		}
		defer admin.Close()
	}
	pw, err := creds.read(newPWVar, "Password for "+name+": ")
	if err != nil {
		return env.fail(exitUsage, err)
	}
	if err := svc.AddProfile(ctx, admin, name, role, pw); err != nil {
		return adminFailed(env, err)
	}
	env.emit("profile_added", map[string]any{
		"profile": name, "role": role.String(), "bootstrap": bootstrap, "vault": svc.VaultBackend(),
		"next": "softphone enroll " + name,
	})
	return exitOK
}

// profilePasswd changes the login password of a profile: the current
// password and a fresh code, then the new password.
func profilePasswd(ctx context.Context, env *cli, svc *auth.Service, creds *credentials, name string) int {
	if name == "" {
		fmt.Fprintln(env.stderr, "softphone: no profile: pass --profile NAME or set SOFTPHONE_PROFILE")
		return exitUsage
	}
	old, err := creds.read("SOFTPHONE_PASSWORD", "Current password: ")
	if err != nil {
		return env.fail(exitUsage, err)
	}
	code, err := creds.read("SOFTPHONE_TOTP", "Code: ")
	if err != nil {
		return env.fail(exitUsage, err)
	}
	pw, err := creds.read("SOFTPHONE_NEW_PASSWORD", "New password: ")
	if err != nil {
		return env.fail(exitUsage, err)
	}
	sess, err := svc.ChangePassword(ctx, name, old, code, pw)
	if errors.Is(err, auth.ErrWeakPassword) {
		return env.fail(exitUsage, err)
	}
	if err != nil {
		return loginRefused(env, name, err)
	}
	sess.Close()
	env.emit("password_changed", map[string]any{"profile": name})
	return exitOK
}

// adminFailed maps errors of admin operations to exit codes.
func adminFailed(env *cli, err error) int {
	switch {
	case errors.Is(err, auth.ErrInvalidProfileName), errors.Is(err, auth.ErrInvalidRole),
		errors.Is(err, auth.ErrWeakPassword), errors.Is(err, auth.ErrBootstrapAdmin),
		errors.Is(err, auth.ErrProfileExists), errors.Is(err, auth.ErrNoSuchProfile):
		return env.fail(exitUsage, err)
	}
	return env.fail(exitFailure, err)
}
