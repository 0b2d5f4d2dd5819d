package main

import (
	"context"
	"fmt"
	"path/filepath"

	"softphone/auth"
	"softphone/config"
	"softphone/policy"
)

func init() {
	register(command{
		name:    "policy",
		summary: "show the effective policy and where each value comes from",
		run:     runPolicy,
	})
}

// exitPermission: the logged-in role may not do this (the refusal is audited).
const exitPermission = 7

// applyPolicyWithoutLogin applies the effective policy to cfg for a command
// that runs without a login (policy show, netcheck): the profile directory
// from cfg or the default, and the vault backend this machine uses.
func applyPolicyWithoutLogin(ctx context.Context, env *cli, cfg *config.Config) error {
	dir, err := profileDir(*cfg)
	if err != nil {
		return err
	}
	backend := auth.VaultFile
	if cfg.Auth.Vault != auth.VaultFile {
		if _, err := auth.KeyringMachineSecret(ctx, auth.MachinePolicyKey); err == nil {
			backend = auth.VaultKeyring
		}
	}
	return applyPolicy(ctx, env, cfg, backend, dir)
}

// applyPolicy merges the machine policy (and the signed bundle it names)
// over cfg, in place, and keeps the result in env.policy. Its errors are
// configuration errors: the caller exits 6 before any login.
func applyPolicy(ctx context.Context, env *cli, cfg *config.Config, backend, profileDir string) error {
	key, err := auth.MachineKey(ctx, backend, profileDir, auth.MachinePolicyKey)
	if err != nil {
		return fmt.Errorf("policy key: %w", err)
	}
	eff, err := policy.Load(ctx, *cfg, policy.Options{
		StateDir: filepath.Join(filepath.Dir(profileDir), "policy"), StateKey: key,
	})
	if err != nil {
		return err
	}
	*cfg = eff.Config
	env.policy = eff
	return nil
}

func runPolicy(ctx context.Context, env *cli, args []string) int {
	if len(args) == 0 || args[0] != "show" {
		fmt.Fprintln(env.stderr, "usage: softphone policy show [--config FILE]")
		return exitUsage
	}
	fs := newFlagSet(env, "policy show")
	cfgPath := fs.String("config", "", "configuration file (default: the user config dir's softphone/config.toml)")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	cfg, _, err := loadConfig(*cfgPath, false)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	if err := applyPolicyWithoutLogin(ctx, env, &cfg); err != nil {
		return env.fail(exitConfig, err)
	}
	for _, v := range env.policy.Values {
		f := map[string]any{"key": v.Key, "value": v.Value, "source": v.Source.String(), "locked": v.Locked()}
		if v.Where != "" {
			f["where"] = v.Where
		}
		if v.Ignored != "" {
			f["ignored_user_value"] = v.Ignored
		}
		env.emit("policy_value", f)
	}
	for _, r := range auth.Roles {
		env.emit("policy_role", map[string]any{"role": string(r), "permissions": env.policy.Table.Granted(r)})
	}
	env.emit("policy", map[string]any{"bundle_version": env.policy.Bundle, "locked": env.policy.LockedKeys()})
	return exitOK
}

// permissions is the effective permission table (the defaults before a
// login loaded the policy).
func (c *cli) permissions() *auth.Table {
	if c.policy == nil {
		return auth.DefaultTable()
	}
	return c.policy.Table
}

// locked reports whether the policy fixes the config key.
func (c *cli) locked(key string) bool {
	if c.policy == nil {
		return false
	}
	v, ok := c.policy.Get(key)
	return ok && v.Source.Locked()
}
