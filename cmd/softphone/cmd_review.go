package main

import (
	"context"
	"fmt"
	"time"

	"softphone/recording"
	"softphone/recording/central"
)

func reviewUsage(env *cli) int {
	fmt.Fprintln(env.stderr, `usage: softphone recordings review [COMMAND] [flags]
  list    [--agent NAME] [--from DATE] [--to DATE] [--reason TEXT] [--all]   flagged recordings of every agent
  play    ID                     decrypt in memory; WAV to stdout (audited)
  note    ID --note TEXT [--resolve]
  hold    ID --reason TEXT       S3 legal hold on every object of the recording
  release ID --reason TEXT
  delete  ID --reason TEXT       refused under legal hold (and by the store)
softphone recordings list --central [same filters]   every uploaded recording
common flags: --config FILE, --profile NAME, --audit-log FILE, --identity FILE (else the vault's org-identity)`)
	return exitUsage
}

// reviewFlags are the flags of review and list --central.
type reviewFlags struct {
	centralFlags
	agent, from, to, reason, note  string
	all, resolve, central, flagged bool
}

func parseReview(env *cli, name string, args []string) (*reviewFlags, []string, bool) {
	fs := newFlagSet(env, name)
	f := &reviewFlags{}
	fs.StringVar(&f.cfgPath, "config", "", "configuration file")
	fs.StringVar(&f.profile, "profile", "", "login profile (default: $SOFTPHONE_PROFILE)")
	fs.StringVar(&f.auditPath, "audit-log", "", "audit log file")
	fs.StringVar(&f.identity, "identity", "", "age identity file with the organisation's key (else the vault's org-identity)")
	fs.StringVar(&f.agent, "agent", "", "only this agent's recordings")
	fs.StringVar(&f.from, "from", "", "only recordings started on or after DATE (YYYY-MM-DD)")
	fs.StringVar(&f.to, "to", "", "only recordings started before DATE (YYYY-MM-DD)")
	fs.StringVar(&f.reason, "reason", "", "flag reason to look for (list) or reason (hold, release, delete)")
	fs.StringVar(&f.note, "note", "", "review note")
	fs.BoolVar(&f.all, "all", false, "include unflagged and resolved recordings")
	fs.BoolVar(&f.resolve, "resolve", false, "resolve (unflag) with the note")
	fs.BoolVar(&f.central, "central", false, "list central storage")
	fs.BoolVar(&f.flagged, "flagged", false, "only flagged, unresolved recordings (list --central)")
	if err := fs.Parse(reorderFlags(args, fs)); err != nil {
		return nil, nil, false
	}
	return f, fs.Args(), true
}

func (f *reviewFlags) filter() (central.ReviewFilter, error) {
	rf := central.ReviewFilter{Agent: f.agent, All: f.all}
	if f.from != "" {
		t, err := time.Parse(time.DateOnly, f.from)
		if err != nil {
			return rf, fmt.Errorf("--from %q: want YYYY-MM-DD", f.from)
		}
		rf.From = t
	}
	if f.to != "" {
		t, err := time.Parse(time.DateOnly, f.to)
		if err != nil {
			return rf, fmt.Errorf("--to %q: want YYYY-MM-DD", f.to)
		}
		rf.To = t
	}
	return rf, nil
}

// openReviewer logs in and builds the reviewer with the user's role.
func openReviewer(ctx context.Context, env *cli, f *reviewFlags) (*central.Reviewer, *centralCtx, int) {
	cc, code := openCentral(ctx, env, f.centralFlags)
	if cc == nil {
		return nil, nil, code
	}
	rcpts, err := recording.ParseRecipients(cc.cfg.Recording.Recipients)
	if err != nil {
		cc.close()
		return nil, nil, env.fail(exitConfig, err)
	}
	r, err := central.NewReviewer(central.ReviewerConfig{
		Store: cc.bucket, Recipients: rcpts, Identities: orgIdentity{file: f.identity, text: cc.user.OrgIdentity},
		Auditor: cc.log, Actor: cc.user.Actor, Role: cc.user.Role, Logger: env.log,
	})
	if err != nil {
		cc.close()
		return nil, nil, env.fail(exitConfig, err)
	}
	return r, cc, exitOK
}

// runListCentral is recordings list --central: every uploaded recording.
func runListCentral(ctx context.Context, env *cli, args []string) int {
	f, pos, ok := parseReview(env, "recordings list --central", args)
	if !ok || len(pos) > 0 {
		return reviewUsage(env)
	}
	f.all = !f.flagged && f.reason == ""
	return reviewList(ctx, env, f)
}

func runReview(ctx context.Context, env *cli, args []string) int {
	f, pos, ok := parseReview(env, "recordings review", args)
	if !ok {
		return exitUsage
	}
	sub := "list"
	if len(pos) > 0 {
		sub, pos = pos[0], pos[1:]
	}
	if sub == "list" {
		if len(pos) > 0 {
			return reviewUsage(env)
		}
		return reviewList(ctx, env, f)
	}
	if len(pos) != 1 {
		return reviewUsage(env)
	}
	id := pos[0]
	r, cc, code := openReviewer(ctx, env, f)
	if r == nil {
		return code
	}
	defer cc.close()
	var err error
	event := "review_" + sub
	switch sub {
	case "play":
		err = r.Play(ctx, id, env.stdout)
		if err == nil {
			return exitOK // stdout is the WAV
		}
	case "note":
		err = r.Note(ctx, id, f.note, f.resolve)
	case "hold", "release":
		err = r.Hold(ctx, id, f.reason, sub == "hold")
	case "delete":
		err = r.Delete(ctx, id, f.reason)
	default:
		return reviewUsage(env)
	}
	if err != nil {
		return env.fail(exitFailure, err)
	}
	env.emit(event, map[string]any{"id": id, "ok": true})
	return exitOK
}

func reviewList(ctx context.Context, env *cli, f *reviewFlags) int {
	rf, err := f.filter()
	if err != nil {
		return env.fail(exitUsage, err)
	}
	rf.Reason = f.reason
	r, cc, code := openReviewer(ctx, env, f)
	if r == nil {
		return code
	}
	defer cc.close()
	items, err := r.List(ctx, rf)
	if err != nil {
		return env.fail(exitFailure, err)
	}
	for _, it := range items {
		m := it.Manifest.Meta
		fields := recordingFields(m)
		fields["day"], fields["resolved"], fields["reviews"], fields["packs"] = it.Day, it.Resolved, len(it.Reviews), len(it.Manifest.Packs)
		var reasons []string
		for _, fl := range m.Flags {
			reasons = append(reasons, fl.Reason)
		}
		fields["flag_reasons"] = reasons
		env.emit("central_recording", fields)
	}
	env.emit("central_list_done", map[string]any{"count": len(items)})
	return exitOK
}
