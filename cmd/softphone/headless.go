package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"softphone/audit"
	"softphone/auth"
	"softphone/recording"
)

// The recordings and audit commands were written against hooks; this file
// connects them to the real login and the machine keys.
func init() {
	loginHeadless = func(ctx context.Context, env *cli, configPath, profile string) (headlessUser, error) {
		af := &authFlags{configPath: configPath, profile: profile}
		svc, code := openAuth(ctx, env, af)
		if svc == nil {
			return headlessUser{}, fmt.Errorf("cannot open the login store (exit %d)", code)
		}
		sess, code := login(ctx, env, svc, newCredentials(env), af.profileName())
		if sess == nil {
			return headlessUser{}, errLoginReported{code}
		}
		defer svc.Logout(sess)
		local, err := svc.MachineSecret(sess, auth.MachineRecordingKey)
		if err != nil {
			return headlessUser{}, err
		}
		auditKey, err := svc.MachineSecret(sess, auth.MachineAuditKey)
		if err != nil {
			return headlessUser{}, err
		}
		return headlessUser{Actor: sess.Profile(), Role: recording.Role(sess.Role()), LocalKey: local, AuditKey: auditKey}, nil
	}
	// The anchor key lives in the OS keyring; verification must not open
	// the log for writing, so this does not go through openAuth.
	auditAnchorKey = func(ctx context.Context, env *cli, configPath string) ([]byte, error) {
		sf := sessionFlags{configPath: configPath}
		cfg, _, err := sf.loadConfig()
		if err != nil && configPath != "" {
			return nil, err
		}
		dir := cfg.Auth.ProfileDir
		if dir == "" {
			if dir, err = auth.DefaultDir(); err != nil {
				return nil, err
			}
		}
		if cfg.Auth.Vault != auth.VaultFile {
			key, err := auth.KeyringMachineSecret(ctx, auth.MachineAuditKey)
			if !errors.Is(err, auth.ErrKeyringUnavailable) {
				return key, err
			}
		}
		return auth.MachineKeyFile(filepath.Dir(dir), auth.MachineAuditKey)
	}
}

// errLoginReported is a refused login whose login_failed event is already out.
type errLoginReported struct{ code int }

func (e errLoginReported) Error() string { return "login refused" }

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
