package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"softphone/audit"
	"softphone/auth"
	"softphone/config"
	"softphone/recording"
)

func init() {
	register(command{
		name:    "recordings",
		summary: "list|play|export|flag|delete|hold|release|verify|sync|review call recordings",
		run:     runRecordings,
	})
}

// headlessUser is who runs a headless recordings or audit command, with the
// local secrets their login unlocks.
type headlessUser struct {
	Actor    string         // profile name
	Role     recording.Role // from the profile
	LocalKey []byte         // recording pseudonym/index key (keyring)
	AuditKey []byte         // audit anchor HMAC key (keyring); nil: anchor MAC not checked
}

// loginRecordings logs in the user of a recordings command and unlocks
// the local keys.
func loginRecordings(ctx context.Context, env *cli, configPath, profile string) (headlessUser, int) {
	acct, code := env.deps.login(ctx, env, authFlags{configPath: configPath, profile: profile})
	if acct == nil {
		return headlessUser{}, code
	}
	local, err := acct.machineSecret(auth.MachineRecordingKey)
	if err != nil {
		return headlessUser{}, env.fail(exitLoginRefused, err)
	}
	// The anchor key is optional: without it the anchor MAC is "not checked".
	auditKey, _ := acct.machineSecret(auth.MachineAuditKey)
	return headlessUser{Actor: acct.profile, Role: recording.Role(acct.role), LocalKey: local, AuditKey: auditKey}, exitOK
}

// recordingsCtx is what every recordings subcommand has once set up.
type recordingsCtx struct {
	env   *cli
	user  headlessUser
	store *recording.Store
	log   *audit.Log
}

func (rc *recordingsCtx) close() {
	rc.store.Close()
	rc.log.Close()
}

func recordingsUsage(env *cli) int {
	fmt.Fprintln(env.stderr, `usage: softphone recordings COMMAND [flags]
  list    [--flagged] [--held] [--deleted] [--call ID]
  play    ID --identity FILE [--out FILE]     decrypt to WAV (stdout unless --out)
  export  ID --identity FILE --out FILE       decrypt to a WAV file (audited as export)
  flag    ID --reason TEXT
  delete  ID                                   crypto-shred (refused under legal hold)
  hold    ID --reason TEXT
  release ID --reason TEXT
  verify  [--identity FILE]                    check every recording (decrypts with --identity)
  policy  [off|on|ask]                         show the default recording policy, or set it (supervisor; audited)
  sync    [--watch]                            upload to central storage and ship the audit log
  list --central [--flagged] [--agent NAME]    recordings in central storage
  review  [list|play|note|hold|release|delete] supervisor review of central storage (recordings review --help)
common flags: --config FILE, --profile NAME, --audit-log FILE
password and code: SOFTPHONE_PASSWORD / SOFTPHONE_TOTP or stdin`)
	return exitUsage
}

// recordingsArgs is a parsed recordings command line.
type recordingsArgs struct {
	sub, id, newPolicy                                 string
	cfgPath, profile, auditPath, identity, out, reason string
	callID                                             string
	flagged, held, deleted                             bool
}

// parseRecordingsArgs parses flags and the id (in any order) and checks
// what the subcommand needs. On failure it returns the exit code.
func parseRecordingsArgs(env *cli, sub string, args []string) (recordingsArgs, int) {
	a := recordingsArgs{sub: sub}
	fs := newFlagSet(env, "recordings "+sub)
	fs.StringVar(&a.cfgPath, "config", "", "configuration file (default: user config dir)")
	fs.StringVar(&a.profile, "profile", "", "login profile (default: $SOFTPHONE_PROFILE)")
	fs.StringVar(&a.auditPath, "audit-log", "", "audit log file (default: user config dir)")
	fs.StringVar(&a.identity, "identity", "", "age identity file with the organisation's private key")
	fs.StringVar(&a.out, "out", "", "output WAV file")
	fs.StringVar(&a.reason, "reason", "", "reason (flag, hold, release)")
	fs.BoolVar(&a.flagged, "flagged", false, "only flagged recordings")
	fs.BoolVar(&a.held, "held", false, "only recordings under legal hold")
	fs.BoolVar(&a.deleted, "deleted", false, "include tombstones of deleted recordings")
	fs.StringVar(&a.callID, "call", "", "only recordings of this call id")

	needID := map[string]bool{"play": true, "export": true, "flag": true, "delete": true, "hold": true, "release": true}
	if _, known := needID[sub]; !known && sub != "list" && sub != "verify" && sub != "policy" {
		return a, recordingsUsage(env)
	}
	// Flags and the id may come in any order.
	var pos []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return a, exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		pos, rest = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case sub == "policy" && len(pos) == 1:
		a.newPolicy = pos[0]
	case needID[sub] && len(pos) == 1:
		a.id = pos[0]
	case len(pos) > 0:
		return a, env.fail(exitUsage, fmt.Errorf("recordings %s: unexpected argument %q", sub, pos[len(pos)-1]))
	}
	switch {
	case needID[sub] && a.id == "":
		return a, env.fail(exitUsage, fmt.Errorf("recordings %s: recording id required", sub))
	case sub == "export" && a.out == "":
		return a, env.fail(exitUsage, errors.New("recordings export: --out FILE required"))
	case (sub == "play" || sub == "export") && a.identity == "":
		return a, env.fail(exitUsage, fmt.Errorf("recordings %s: --identity FILE required", sub))
	}
	return a, exitOK
}

func runRecordings(ctx context.Context, env *cli, args []string) int {
	if len(args) == 0 {
		return recordingsUsage(env)
	}
	if h := centralSubcommand(args[0], args[1:]); h != nil {
		return h(ctx, env, args[1:]) // central storage: cmd_sync.go, cmd_review.go
	}
	a, code := parseRecordingsArgs(env, args[0], args[1:])
	if code != exitOK {
		return code
	}
	rc, code := openRecordings(ctx, env, a.cfgPath, a.profile, a.auditPath)
	if rc == nil {
		return code
	}
	defer rc.close()
	u, id := rc.user, a.id
	switch a.sub {
	case "list":
		return rc.list(recording.Filter{FlaggedOnly: a.flagged, OnHoldOnly: a.held, IncludeDeleted: a.deleted, CallID: a.callID})
	case "play":
		return rc.decrypt(id, a.identity, a.out, recording.PurposePlayback)
	case "export":
		return rc.decrypt(id, a.identity, a.out, recording.PurposeExport)
	case "flag":
		return rc.done("recording_flagged", id, rc.store.Flag(u.Actor, u.Role, id, a.reason))
	case "delete":
		return rc.done("recording_deleted", id, rc.store.Delete(u.Actor, u.Role, id))
	case "hold":
		return rc.done("recording_held", id, rc.store.Hold(u.Actor, u.Role, id, a.reason))
	case "release":
		return rc.done("recording_released", id, rc.store.Release(u.Actor, u.Role, id, a.reason))
	case "verify":
		return rc.verify(a.identity)
	case "policy":
		return rc.policy(a.newPolicy)
	}
	return recordingsUsage(env)
}

// policy shows the default recording policy, or sets it first.
func (rc *recordingsCtx) policy(newPolicy string) int {
	u := rc.user
	if newPolicy != "" {
		p, err := recording.ParsePolicy(newPolicy)
		if err != nil {
			return rc.env.fail(exitUsage, err)
		}
		if err := rc.store.SetPolicy(u.Actor, u.Role, p); err != nil {
			return rc.env.fail(exitFailure, err)
		}
	}
	rc.env.emit("recording_policy", map[string]any{"policy": rc.store.Policy().String()})
	return exitOK
}

// openRecordings logs in, loads the configuration and opens the audit log and store.
func openRecordings(ctx context.Context, env *cli, cfgPath, profile, auditPath string) (*recordingsCtx, int) {
	cfg, code := recordingsConfig(env, cfgPath)
	if code != exitOK {
		return nil, code
	}
	u, code := loginRecordings(ctx, env, cfgPath, profile)
	if code != exitOK {
		return nil, code
	}
	rcpts, err := recording.ParseRecipients(cfg.Recording.Recipients)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	dir, err := cfg.Recording.RecordingDir()
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	policy, err := recording.ParsePolicy(cfg.Recording.Policy)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	alog, code := openAuditLogFor(env, auditPath, u.AuditKey)
	if alog == nil {
		return nil, code
	}
	store, err := recording.NewStore(recording.Config{
		Dir: dir, Recipients: rcpts, RetentionDays: cfg.Recording.RetentionDays, Policy: policy,
		Auditor: alog, PseudonymKey: u.LocalKey, SweepInterval: -1, Logger: env.log,
	})
	if err != nil {
		alog.Close()
		return nil, env.fail(exitFailure, err)
	}
	return &recordingsCtx{env: env, user: u, store: store, log: alog}, exitOK
}

// recordingsConfig reads the configuration file (path or the default).
func recordingsConfig(env *cli, path string) (config.Config, int) {
	cfg, _, err := loadConfig(path, true)
	if err == nil {
		err = cfg.Recording.Validate()
	}
	if err != nil {
		return cfg, env.fail(exitConfig, err)
	}
	return cfg, exitOK
}

// openAuditLogFor opens the audit log at path or the default location.
func openAuditLogFor(env *cli, path string, key []byte) (*audit.Log, int) {
	if path == "" {
		p, err := audit.DefaultPath()
		if err != nil {
			return nil, env.fail(exitConfig, err)
		}
		path = p
	}
	l, err := audit.Open(path, audit.WithAnchorKey(key), audit.WithLogger(env.log))
	if err != nil {
		return nil, env.fail(exitFailure, err)
	}
	return l, exitOK
}

func recordingFields(m recording.Meta) map[string]any {
	f := map[string]any{
		"id": m.ID, "call_id": m.CallID, "owner": m.Owner, "direction": m.Direction,
		"customer_ref": m.CustomerRef, "started": m.Started.Format(time.RFC3339),
		"duration_s": m.Duration.Seconds(), "status": m.Status.String(), "segments": m.Segments,
		"flagged": m.Flagged(), "hold": m.OnHold(), "retain_until": m.RetainUntil.Format(time.RFC3339),
		"pauses": len(m.Pauses),
	}
	if !m.Ended.IsZero() {
		f["ended"] = m.Ended.Format(time.RFC3339)
	}
	if m.Reason != "" {
		f["reason"] = m.Reason
	}
	if m.Flagged() {
		var reasons []string
		for _, fl := range m.Flags {
			reasons = append(reasons, fl.Reason)
		}
		f["flag_reasons"] = reasons
	}
	if m.Tampered {
		f["tampered"] = true
	}
	return f
}

func (rc *recordingsCtx) list(f recording.Filter) int {
	list, err := rc.store.List(rc.user.Actor, rc.user.Role, f)
	if err != nil {
		return rc.env.fail(recordingsExit(err), err)
	}
	for _, m := range list {
		rc.env.emit("recording", recordingFields(m))
	}
	rc.env.emit("recordings_listed", map[string]any{"count": len(list)})
	return exitOK
}

func (rc *recordingsCtx) done(event, id string, err error) int {
	if err != nil {
		return rc.env.fail(recordingsExit(err), err)
	}
	rc.env.emit(event, map[string]any{"id": id})
	return exitOK
}

// recordingsExit maps recording errors to exit codes.
func recordingsExit(err error) int {
	switch {
	case errors.Is(err, recording.ErrReasonRequired):
		return exitUsage
	default:
		return exitFailure
	}
}

func readIdentityFile(path string) ([]age.Identity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("identity file: %w", err)
	}
	defer f.Close()
	return recording.ParseIdentityFile(f)
}

// decrypt writes the recording as WAV to out, or to stdout for playback.
// With stdout carrying audio, errors go to stderr only.
func (rc *recordingsCtx) decrypt(id, identityPath, out string, purpose recording.Purpose) int {
	fail := rc.env.fail
	if out == "" {
		fail = func(code int, err error) int {
			fmt.Fprintf(rc.env.stderr, "softphone: %v\n", err)
			return code
		}
	}
	ids, err := readIdentityFile(identityPath)
	if err != nil {
		return fail(exitUsage, err)
	}
	rd, err := rc.store.Open(rc.user.Actor, rc.user.Role, id, purpose, ids...)
	if err != nil {
		return fail(recordingsExit(err), err)
	}
	if out == "" {
		if err := rd.WriteWAV(rc.env.stdout); err != nil {
			return fail(exitFailure, err)
		}
		return exitOK
	}
	// The user named this file for decrypted audio; create it only for us.
	tmp, err := os.CreateTemp(filepath.Dir(out), ".softphone-wav-*")
	if err != nil {
		return fail(exitFailure, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fail(exitFailure, err)
	}
	werr := rd.WriteWAV(tmp)
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fail(exitFailure, werr)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return fail(exitFailure, err)
	}
	rc.env.emit("recording_"+purposeEvent(purpose), map[string]any{"id": id, "file": out})
	return exitOK
}

func purposeEvent(p recording.Purpose) string {
	if p == recording.PurposeExport {
		return "exported"
	}
	return "played"
}

func (rc *recordingsCtx) verify(identityPath string) int {
	var ids []age.Identity
	if identityPath != "" {
		var err error
		if ids, err = readIdentityFile(identityPath); err != nil {
			return rc.env.fail(exitUsage, err)
		}
	}
	n, probs, err := rc.store.Verify(rc.user.Actor, rc.user.Role, ids...)
	if err != nil {
		return rc.env.fail(recordingsExit(err), err)
	}
	if recording.IsWrongKey(probs) {
		return rc.env.fail(exitFailure, recording.ErrWrongKey)
	}
	for _, p := range probs {
		rc.env.emit("recording_problem", map[string]any{"id": p.Recording, "problem": p.Err.Error()})
	}
	rc.env.emit("recordings_verified", map[string]any{
		"recordings": n, "problems": len(probs), "ok": len(probs) == 0, "decrypted": len(ids) > 0,
	})
	if len(probs) > 0 {
		return exitFailure
	}
	return exitOK
}
