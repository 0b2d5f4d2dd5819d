package main

import (
	"context"
	"fmt"

	"softphone/audit/ship"
)

// runAuditVerifyCentral verifies every agent's audit chain in central
// storage and reports gaps, broken links and altered entries.
func runAuditVerifyCentral(ctx context.Context, env *cli, args []string) int {
	fs := newFlagSet(env, "audit verify --central")
	var f centralFlags
	fs.Bool("central", true, "verify central storage")
	fs.StringVar(&f.cfgPath, "config", "", "configuration file")
	fs.StringVar(&f.profile, "profile", "", "login profile (default: $SOFTPHONE_PROFILE)")
	fs.StringVar(&f.auditPath, "audit-log", "", "local audit log file (the verification is audited there)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		return env.fail(exitUsage, fmt.Errorf("audit verify --central: unexpected argument %q", fs.Arg(0)))
	}
	cc, code := openCentral(ctx, env, f)
	if cc == nil {
		return code
	}
	defer cc.close()
	rep, err := ship.Verify(ctx, cc.bucket)
	if err != nil {
		return env.fail(exitFailure, err)
	}
	problems := 0
	for _, a := range rep.Agents {
		for _, p := range a.Problems {
			problems++
			env.emit("audit_problem", map[string]any{"agent": a.Agent, "kind": p.Kind.String(), "object": p.Object, "detail": p.Detail})
		}
		env.emit("audit_agent_verified", map[string]any{"agent": a.Agent, "objects": a.Objects, "entries": a.Entries,
			"last_seq": a.LastSeq, "ok": len(a.Problems) == 0})
	}
	env.emit("audit_verified", map[string]any{"central": true, "agents": len(rep.Agents), "ok": rep.OK(), "problems": problems})
	if !rep.OK() {
		return exitFailure
	}
	return exitOK
}
