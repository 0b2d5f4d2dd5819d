package main

import (
	"context"
	"errors"
	"path/filepath"

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
	// auditAnchorKey is the machine key that authenticates the audit anchor.
	// Verification must not open the log for writing, so it does not log in.
	auditAnchorKey func(ctx context.Context, env *cli, configPath string) ([]byte, error)
}

func defaultDeps() deps {
	return deps{login: loginAccount, crmDefaultDB: crm.DefaultDBPath, auditAnchorKey: keyringAnchorKey}
}

// keyringAnchorKey reads the machine's audit anchor key: from the OS
// keyring where the configured vault is the keyring, else (or where no
// keyring answers) from the user-only machine key file beside the profiles.
// Every mode has one, so the anchor's MAC is always checked.
func keyringAnchorKey(ctx context.Context, env *cli, configPath string) ([]byte, error) {
	cfg, _, err := loadConfig(configPath, false)
	if err != nil && configPath != "" {
		return nil, err
	}
	dir, err := profileDir(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Auth.Vault != auth.VaultFile {
		key, err := auth.KeyringMachineSecret(ctx, auth.MachineAuditKey)
		if !errors.Is(err, auth.ErrKeyringUnavailable) {
			return key, err
		}
	}
	return auth.MachineKeyFile(filepath.Dir(dir), auth.MachineAuditKey)
}
