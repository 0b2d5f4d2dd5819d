package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"softphone/auth"
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
