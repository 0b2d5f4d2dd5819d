package main

import (
	"context"
	"fmt"

	"softphone/auth"
)

func init() {
	register(command{name: "secret", summary: "secret set NAME: store sip-password, crm-token, supervisor-key, s3-access-key, s3-secret-key or org-identity in the profile's vault (login required)", run: runSecret})
}

// storableSecrets are the vault entries a user may set by hand. The TOTP
// secret and the recording key are managed by enrolment and recording.
var storableSecrets = map[string]bool{auth.SecretSIPPassword: true, auth.SecretCRMToken: true, auth.SecretSupervisorKey: true}

// runSecret stores a secret in the logged-in profile's vault (OS keyring or
// encrypted file). The value comes from SOFTPHONE_SECRET or the next stdin
// line after the login's; it is never echoed or logged.
func runSecret(ctx context.Context, env *cli, args []string) int {
	var af authFlags
	fs := newFlagSet(env, "secret")
	af.add(fs)
	if err := fs.Parse(reorderFlags(args, fs)); err != nil {
		return exitUsage
	}
	if fs.NArg() != 2 || fs.Arg(0) != "set" || !storableSecrets[fs.Arg(1)] {
		fmt.Fprintln(env.stderr, "usage: softphone secret set sip-password|crm-token|s3-access-key|s3-secret-key|org-identity   (value from $SOFTPHONE_SECRET or stdin)")
		return exitUsage
	}
	name := fs.Arg(1)
	svc, code := openAuth(ctx, env, &af)
	if svc == nil {
		return code
	}
	creds := newCredentials(env)
	sess, code := login(ctx, env, svc, creds, af.profileName())
	if sess == nil {
		return code
	}
	defer svc.Logout(sess)
	value, err := creds.read("SOFTPHONE_SECRET", name+": ")
	if err != nil {
		return env.fail(exitUsage, err)
	}
	if value == "" {
		return env.fail(exitUsage, fmt.Errorf("%s: empty value", name))
	}
	if err := sess.SetSecret(name, value); err != nil {
		return env.fail(exitFailure, err)
	}
	env.emit("secret_stored", map[string]any{"profile": sess.Profile(), "name": name, "vault": sess.VaultBackend()})
	return exitOK
}
