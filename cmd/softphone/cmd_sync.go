package main

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"softphone/audit/ship"
	"softphone/recording"
	"softphone/recording/central"
)

// centralSubcommand returns the handler of a recordings subcommand that
// works with central storage, or nil (cmd_recordings.go asks first).
func centralSubcommand(sub string, args []string) func(context.Context, *cli, []string) int {
	switch {
	case sub == "sync":
		return runSync
	case sub == "review":
		return runReview
	case sub == "list" && hasFlag(args, "central"):
		return runListCentral
	}
	return nil
}

// hasFlag reports whether -name or --name is among args.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

// runSync uploads sealed recordings and ships the audit log, printing a
// JSON line per step. With --watch it keeps going until interrupted.
func runSync(ctx context.Context, env *cli, args []string) int {
	fs := newFlagSet(env, "recordings sync")
	var f centralFlags
	fs.StringVar(&f.cfgPath, "config", "", "configuration file")
	fs.StringVar(&f.profile, "profile", "", "login profile (default: $SOFTPHONE_PROFILE)")
	fs.StringVar(&f.auditPath, "audit-log", "", "audit log file (default: user config dir)")
	watch := fs.Bool("watch", false, "keep uploading until interrupted")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return exitUsage
	}
	cc, code := openCentral(ctx, env, f)
	if cc == nil {
		return code
	}
	defer cc.close()
	rc := cc.cfg.Recording
	rcpts, err := recording.ParseRecipients(rc.Recipients)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	dir, err := rc.RecordingDir()
	if err != nil {
		return env.fail(exitConfig, err)
	}
	sdir, err := stateDir(cc.cfg)
	if err != nil {
		return env.fail(exitConfig, err)
	}
	shipper, err := ship.New(ship.Config{LogPath: cc.logFile, Store: cc.bucket,
		StateDir: sdir, RetainDays: rc.Store.AuditRetainDays})
	if err != nil {
		return env.fail(exitFailure, err)
	}
	store, err := recording.NewStore(recording.Config{Dir: dir, Recipients: rcpts, RetentionDays: rc.RetentionDays,
		Auditor: cc.log, PseudonymKey: cc.user.LocalKey, SweepInterval: -1, Logger: env.log})
	if err != nil {
		return env.fail(exitFailure, err)
	}
	defer store.Close()
	u, err := central.NewUploader(central.UploaderConfig{
		Source: store, Store: cc.bucket, QueueDir: filepath.Join(sdir, "queue"), Recipients: rcpts,
		Agent: shipper.Agent(), KeepDays: rc.Store.KeepDays, Compliance: strings.EqualFold(rc.Store.RetentionMode, "compliance"),
		OnEvent: func(e central.Event) { env.emit("upload", uploadFields(e)) }, Logger: env.log,
	})
	if err != nil {
		return env.fail(exitFailure, err)
	}
	if *watch {
		return watchSync(ctx, env, u, shipper)
	}
	upErr := u.Sync(ctx)
	n, shipErr := shipper.Ship(ctx)
	sum := u.Summary()
	env.emit("sync_done", map[string]any{"pending": sum.Pending, "uploaded": sum.Uploaded, "audit_entries_shipped": n,
		"agent": shipper.Agent(), "ok": upErr == nil && shipErr == nil})
	if err := errors.Join(upErr, shipErr); err != nil {
		return env.fail(exitFailure, err)
	}
	return exitOK
}

func watchSync(ctx context.Context, env *cli, u *central.Uploader, shipper *ship.Shipper) int {
	done := make(chan error, 1)
	go func() { done <- u.Run(ctx) }()
	<-ctx.Done()
	<-done
	n, err := shipper.Ship(context.WithoutCancel(ctx))
	env.emit("sync_done", map[string]any{"pending": u.Summary().Pending, "audit_entries_shipped": n, "ok": err == nil})
	if err != nil {
		return env.fail(exitFailure, err)
	}
	return exitOK
}

func uploadFields(e central.Event) map[string]any {
	f := map[string]any{"recording": e.Recording, "state": e.State.String()}
	if e.Pack > 0 {
		f["pack"] = e.Pack
	}
	if e.Bytes > 0 {
		f["bytes"] = e.Bytes
	}
	if e.Err != nil {
		f["error"] = e.Err.Error()
	}
	return f
}
