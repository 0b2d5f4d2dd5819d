package main

import (
	"context"
	"errors"

	"softphone/auth"
	"softphone/crm"
)

// deps are what commands reach outside the process for: the login with the
// machine secrets it unlocks, and default file locations. main uses
// defaultDeps; tests pass their own to runWith. There are no package-level
// hooks: a command reads env.deps.
type deps struct {
	// login checks the profile's password and TOTP code (headless commands
	// enforce two factors like the desktop) and returns the account with
	// the secrets it unlocks. On failure it has printed the event and
	// returns the exit code.
	login func(ctx context.Context, env *cli, af authFlags) (*account, int)
	// crmDefaultDB is the embedded CRM store when neither --db nor crm.db names one.
	crmDefaultDB func() (string, error)
	// auditAnchorKey is the key that authenticates the audit anchor, or nil
	// when it is not available (the anchor's MAC is then "not checked").
	// Verification must not open the log for writing, so it does not log in.
	auditAnchorKey func(ctx context.Context, env *cli, configPath string) ([]byte, error)
}

func defaultDeps() deps {
	return deps{login: loginAccount, crmDefaultDB: crm.DefaultDBPath, auditAnchorKey: keyringAnchorKey}
}

// keyringAnchorKey reads the audit anchor key from the OS keyring, where
// the configured vault is the keyring.
func keyringAnchorKey(ctx context.Context, env *cli, configPath string) ([]byte, error) {
	cfg, _, err := loadConfig(configPath, false)
	if err != nil && configPath != "" {
		return nil, err
	}
	if cfg.Auth.Vault == auth.VaultFile {
		return nil, nil // no keyring in use: the anchor MAC cannot be checked
	}
	key, err := auth.KeyringMachineSecret(ctx, auth.MachineAuditKey)
	if errors.Is(err, auth.ErrKeyringUnavailable) {
		return nil, nil
	}
	return key, err
}
