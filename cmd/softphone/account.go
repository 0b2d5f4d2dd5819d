package main

import (
	"context"
	"errors"
	"fmt"

	"softphone/auth"
)

// account is a logged-in profile and the login service it came from: the
// one login-then-unlock of every headless command. Machine secrets are
// unlocked on first use (a machine without a keyring needs the login to
// open them from the profile's vault).
type account struct {
	svc  *auth.Service // nil for accounts made by tests
	sess *auth.Session // nil for accounts made by tests

	profile string
	role    auth.Role
	// keys and secrets stand in for the machine secrets and the vault when
	// svc is nil (tests).
	keys    map[string][]byte
	secrets map[string]string
}

// secret returns a named secret from the profile's vault.
func (a *account) secret(name string) (string, error) {
	if a.sess == nil {
		if v, ok := a.secrets[name]; ok {
			return v, nil
		}
		return "", fmt.Errorf("secret %s not set", name)
	}
	return a.sess.Secret(name)
}

// machineSecret returns one of the machine-wide keys (auth.Machine*).
func (a *account) machineSecret(name string) ([]byte, error) {
	if a.svc == nil {
		return a.keys[name], nil
	}
	return a.svc.MachineSecret(a.sess, name)
}

// crmToken is the REST CRM's bearer token, from the profile's vault.
func (a *account) crmToken(context.Context) (string, error) {
	if a.sess == nil {
		return "", errors.New("no login: the CRM token is in the profile's vault")
	}
	return a.sess.Secret(auth.SecretCRMToken)
}

// logout ends the session (idempotent through auth).
func (a *account) logout() {
	if a.sess != nil {
		a.svc.Logout(a.sess)
	}
}

// loginAccount is deps.login in production: open the login store (and the
// audit log) from the configuration, check password and code, and log out
// when the command returns.
func loginAccount(ctx context.Context, env *cli, af authFlags) (*account, int) {
	svc, code := openAuth(ctx, env, &af)
	if svc == nil {
		return nil, code
	}
	sess, code := login(ctx, env, svc, newCredentials(env), af.profileName())
	if sess == nil {
		return nil, code
	}
	a := &account{svc: svc, sess: sess, profile: sess.Profile(), role: sess.Role()}
	env.onExit(a.logout)
	return a, exitOK
}
