package main

import (
	"context"
	"fmt"
	"path/filepath"

	"softphone/audit"
)

func init() {
	register(command{
		name:    "audit",
		summary: "verify the audit log (audit verify [--log FILE] | --central)",
		run:     runAudit,
	})
}

func runAudit(ctx context.Context, env *cli, args []string) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(env.stderr, "usage: softphone audit verify [--log FILE] | audit verify --central [--config FILE]")
		return exitUsage
	}
	if hasFlag(args[1:], "central") {
		return runAuditVerifyCentral(ctx, env, args[1:]) // cmd_audit_central.go
	}
	fs := newFlagSet(env, "audit verify")
	path := fs.String("log", "", "audit log file (default: beside the profile directory, i.e. the user config dir's softphone/audit.log)")
	cfgPath := fs.String("config", "", "configuration file (its auth.profile_dir moves the default log)")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return env.fail(exitUsage, fmt.Errorf("audit verify: unexpected argument %q", fs.Arg(0)))
	}
	if *path == "" && *cfgPath != "" {
		if cfg, _, err := loadConfig(*cfgPath, true); err == nil && cfg.Auth.ProfileDir != "" {
			*path = filepath.Join(filepath.Dir(cfg.Auth.ProfileDir), "audit.log")
		}
	}
	if *path == "" {
		p, err := audit.DefaultPath()
		if err != nil {
			return env.fail(exitConfig, err)
		}
		*path = p
	}
	key, err := env.deps.auditAnchorKey(ctx, env, *cfgPath)
	if err != nil {
		return env.fail(exitLoginRefused, err)
	}
	rep, err := audit.Verify(*path, audit.WithAnchorKey(key))
	if err != nil {
		return env.fail(exitFailure, err)
	}
	for _, p := range rep.Problems {
		f := map[string]any{"kind": p.Kind.String(), "detail": p.Detail, "message": p.String()}
		if p.Entry > 0 {
			f["entry"] = p.Entry
			f["seq"] = p.Seq
		}
		env.emit("audit_problem", f)
	}
	env.emit("audit_verified", map[string]any{
		"log": *path, "entries": rep.Entries, "ok": rep.OK(), "problems": len(rep.Problems),
		"head": rep.Head, "anchor_mac": rep.AnchorMAC, "unanchored": rep.Unanchored,
	})
	if !rep.OK() {
		return exitFailure
	}
	return exitOK
}
