package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"softphone/auth"
	"softphone/config"
	"softphone/crm"
	"softphone/phone"
	"softphone/recording"
)

// sessionFlags select the configuration and profile of a headless command.
type sessionFlags struct {
	configPath string
	profile    string
	backend    string
}

func (s *sessionFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&s.configPath, "config", "", "configuration file (default: the user config dir's softphone/config.toml)")
	fs.StringVar(&s.profile, "profile", "", "login profile (default: $SOFTPHONE_PROFILE)")
	fs.StringVar(&s.backend, "audio", "", `audio backend: "" for the sound card when no --play/--record, "null" for none`)
}

// loadConfig reads the configuration file named by the flag or the default one.
func (s *sessionFlags) loadConfig() (config.Config, string, error) {
	path := s.configPath
	if path == "" {
		var err error
		if path, err = config.DefaultPath(); err != nil {
			return config.Config{}, "", err
		}
	}
	cfg, err := config.Load(path)
	return cfg, path, err
}

// openAgent loads the configuration, checks the agent's login (password
// and TOTP code: headless commands enforce two factors like the desktop),
// builds the agent and registers it. On failure it has already printed the
// error event and returns the exit code.
func openAgent(ctx context.Context, env *cli, s *sessionFlags, endpoints func(config.Audio) phone.Endpoints) (*phone.Agent, int) {
	cfg, path, err := s.loadConfig()
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, env.fail(exitConfig, fmt.Errorf("no configuration at %s: write one (see README) or pass --config", path))
		}
		return nil, env.fail(exitConfig, err)
	}
	af := &authFlags{configPath: s.configPath, profile: s.profile}
	svc, code := openAuth(ctx, env, af)
	if svc == nil {
		return nil, code
	}
	cfg = env.policy.Config // the machine policy applied (openAuth)
	sess, code := login(ctx, env, svc, newCredentials(env), af.profileName())
	if sess == nil {
		return nil, code
	}
	env.emit("logged_in", map[string]any{"profile": sess.Profile(), "role": string(sess.Role())})
	store, err := openRecordingStore(cfg, svc, sess, env)
	if err != nil {
		svc.Logout(sess)
		return nil, env.fail(exitConfig, err)
	}
	if store != nil {
		env.onExit(func() { store.Close() })
	}
	crmCfg, err := openCRMForAgent(ctx, cfg, svc, sess, func() *auth.Session { return sess }, env)
	if err != nil {
		svc.Logout(sess)
		return nil, env.fail(exitConfig, err)
	}
	ag, err := phone.New(phone.Config{Settings: cfg, Endpoints: endpoints(cfg.Audio), Auth: svc, Recordings: store, CRM: crmCfg, Logger: env.log})
	if err != nil {
		svc.Logout(sess)
		return nil, env.fail(exitConfig, err)
	}
	// SOFTPHONE_SIP_PASSWORD overrides the vault's SIP password for
	// automation; the login above is still required.
	if err := ag.UseSession(sess, os.Getenv("SOFTPHONE_SIP_PASSWORD")); err != nil {
		ag.Close()
		return nil, env.fail(exitConfig, err)
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := ag.WaitRegistered(rctx); err != nil {
		ag.Close()
		return nil, env.fail(exitRegistration, err)
	}
	snap := ag.Snapshot()
	env.emit("registered", map[string]any{"aor": snap.Registration.AOR})
	return ag, exitOK
}

// openRecordingStore opens the encrypted recording store when the
// configuration names the organisation's recipients; without them calls
// cannot be recorded (nil store, the call shows no recording strip).
func openRecordingStore(cfg config.Config, svc *auth.Service, sess *auth.Session, env *cli) (*recording.Store, error) {
	if len(cfg.Recording.Recipients) == 0 {
		return nil, nil
	}
	rcpts, err := recording.ParseRecipients(cfg.Recording.Recipients)
	if err != nil {
		return nil, err
	}
	dir, err := cfg.Recording.RecordingDir()
	if err != nil {
		return nil, err
	}
	policy, err := recording.ParsePolicy(cfg.Recording.Policy)
	if err != nil {
		return nil, err
	}
	key, err := svc.MachineSecret(sess, auth.MachineRecordingKey)
	if err != nil {
		return nil, err
	}
	var auditor recording.Auditor
	if env.auditLog != nil {
		auditor = env.auditLog
	}
	return recording.NewStore(recording.Config{
		Dir: dir, Recipients: rcpts, RetentionDays: cfg.Recording.RetentionDays, Policy: policy,
		Auditor: auditor, PseudonymKey: key, AutoPausePayment: cfg.Recording.AutoPausePayment,
		AutoPauseDTMF: cfg.Recording.AutoPauseDTMF, DTMFIdle: cfg.Recording.DTMFIdle, Logger: env.log,
		Permissions: env.permissions(), PolicyLocked: env.locked("recording.policy"),
	})
}

// openCRMForAgent connects calls to the configured CRM: the embedded store
// (if its file exists) or the REST adapter. Without one, calls have no
// CRM card; an unreachable CRM later only shows "CRM unavailable".
//
// sess unlocks machine keys where there is no keyring; current returns the
// session whose vault holds the REST token (it may change after start-up).
func openCRMForAgent(ctx context.Context, cfg config.Config, svc *auth.Service, sess *auth.Session, current func() *auth.Session, env *cli) (*phone.CRMConfig, error) {
	policy, err := crm.PolicyFromConfig(cfg.CRM.Mask)
	if err != nil {
		return nil, err
	}
	pk, err := svc.MachineSecret(sess, auth.MachineRecordingKey)
	if err != nil {
		return nil, err
	}
	var dir crm.Directory
	switch cfg.CRM.Backend {
	case "rest":
		r, err := crm.NewREST(crm.RESTConfigFromConfig(cfg.CRM, func(context.Context) (string, error) {
			s := current()
			if s == nil {
				return "", errors.New("not logged in")
			}
			return s.Secret(auth.SecretCRMToken)
		}))
		if err != nil {
			return nil, err
		}
		env.onExit(func() { r.Close() })
		dir = r
	default:
		path, err := crmDBPath(crmFlags{}, cfg.CRM)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(path); err != nil {
			return nil, nil // no contacts imported on this machine
		}
		key, err := svc.MachineSecret(sess, auth.MachineCRMKey)
		if err != nil {
			return nil, err
		}
		st, err := crm.Open(path, crm.WithFieldKey(key), crm.WithStoreLogger(env.log))
		if err != nil {
			return nil, err
		}
		env.onExit(func() { st.Close() })
		dir = st
	}
	var auditor crm.Auditor
	if env.auditLog != nil {
		auditor = env.auditLog
	}
	return &phone.CRMConfig{Directory: dir, Policy: policy, Region: cfg.CRM.DefaultRegion, Timeout: cfg.CRM.Timeout,
		Auditor: auditor, PseudonymKey: pk}, nil
}
