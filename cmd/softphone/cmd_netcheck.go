package main

import (
	"context"
	"fmt"

	"softphone/netcheck"
	"softphone/phone"
)

func init() {
	register(command{
		name:    "netcheck",
		summary: "check the network before a shift: PBX round trip, loss, jitter, NAT type, TURN [--config FILE]",
		run:     runNetcheck,
	})
}

// exitNetwork: the check ran and its verdict is poor.
const exitNetwork = 8

// runNetcheck prints one netcheck event (the typed result) and one
// netcheck_finding per finding. No login: it uses no personal data and the
// servers come from the configuration and the machine policy.
func runNetcheck(ctx context.Context, env *cli, args []string) int {
	fs := newFlagSet(env, "netcheck")
	cfgPath := fs.String("config", "", "configuration file (default: the user config dir's softphone/config.toml)")
	probes := fs.Int("probes", 50, "STUN binding requests in the train (20 ms apart)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 {
		fmt.Fprintln(env.stderr, "usage: softphone netcheck [--config FILE] [--probes N]")
		return exitUsage
	}
	cfg, _, err := loadConfig(*cfgPath, false)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	if err := applyPolicyWithoutLogin(ctx, env, &cfg); err != nil {
		return env.fail(exitConfig, err)
	}
	nc, err := phone.NetcheckConfig(cfg, nil)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	nc.Probes, nc.Logger = *probes, env.log
	r, err := netcheck.Run(ctx, nc)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	env.emit("netcheck", netcheckFields(r))
	for _, f := range r.Findings {
		env.emit("netcheck_finding", map[string]any{"verdict": f.Verdict.String(), "text": f.Text()})
	}
	if r.Verdict == netcheck.VerdictPoor {
		return exitNetwork
	}
	return exitOK
}

// netcheckFields flattens the result for the JSON line.
func netcheckFields(r netcheck.Result) map[string]any {
	f := map[string]any{
		"verdict": r.Verdict.String(), "nat": r.NAT.Type.String(), "mapped": r.NAT.Mapped,
		"rtt_ms": r.Media.RTT.Millis(), "loss_pct": r.Media.LossPercent, "jitter_ms": r.Media.Jitter.Millis(),
		"probes_sent": r.Media.Sent, "probes_received": r.Media.Received,
		"pbx_ok": r.PBX.OK, "pbx_rtt_ms": r.PBX.RTT.Millis(), "took_ms": r.Took.Millis(),
	}
	if r.PBX.Error != "" {
		f["pbx_error"] = r.PBX.Error
	}
	var turns []map[string]any
	for _, t := range r.TURN {
		m := map[string]any{"uri": t.URI, "transport": t.Transport.String(), "ok": t.OK, "allocate_ms": t.Allocate.Millis()}
		if t.Error != "" {
			m["error"] = t.Error
		}
		turns = append(turns, m)
	}
	if turns != nil {
		f["turn"] = turns
	}
	return f
}
