package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"softphone/audit"
	"softphone/auth"
)

// runAuditExport is "audit export --out FILE": the DPO (or admin) logs in
// and writes the audit log as JSON lines for docs/audit-verify. The export
// itself is audited.
func runAuditExport(ctx context.Context, env *cli, args []string) int {
	fs := newFlagSet(env, "audit export")
	out := fs.String("out", "", "output file (JSON lines; docs/audit-verify/FORMAT.md)")
	af := &authFlags{}
	fs.StringVar(&af.configPath, "config", "", "configuration file")
	fs.StringVar(&af.profile, "profile", "", "login profile (default: $SOFTPHONE_PROFILE)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *out == "" || fs.NArg() > 0 {
		return env.fail(exitUsage, errors.New("audit export: --out FILE required"))
	}
	acct, code := env.deps.login(ctx, env, *af)
	if acct == nil {
		return code
	}
	if err := acct.permit(env, auth.PermAuditExport); err != nil {
		return env.fail(exitPermission, err)
	}
	key, err := acct.machineSecret(auth.MachineAuditKey)
	if err != nil {
		return env.fail(exitFailure, err)
	}
	if env.auditLog == nil {
		return env.fail(exitConfig, errors.New("audit export: the login opened no audit log"))
	}
	path := env.auditLog.Path()
	if err := env.auditLog.Record(audit.ActionAuditExport, acct.profile, map[string]string{"file": filepath.Base(*out)}); err != nil {
		return env.fail(exitFailure, err)
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return env.fail(exitUsage, err)
	}
	rep, err := audit.Export(path, f, audit.WithAnchorKey(key))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return env.fail(exitFailure, fmt.Errorf("audit export: %w", err))
	}
	env.emit("audit_exported", map[string]any{"out": *out, "entries": rep.Entries, "ok": rep.OK(), "anchor_mac": rep.AnchorMAC})
	if !rep.OK() {
		return exitFailure
	}
	return exitOK
}
