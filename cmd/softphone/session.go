package main

import (
	"context"
	"flag"
	"os"
	"time"

	"softphone/config"
	"softphone/phone"
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

// openAgent loads the configuration, logs in (password and TOTP code:
// headless commands enforce two factors like the desktop), builds the
// agent and registers it. On failure it has already printed the error
// event and returns the exit code.
func openAgent(ctx context.Context, env *cli, s *sessionFlags, endpoints func(config.Audio) phone.Endpoints) (*phone.Agent, int) {
	cfg, _, err := loadConfig(s.configPath, true)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	acct, code := env.deps.login(ctx, env, authFlags{configPath: s.configPath, profile: s.profile})
	if acct == nil {
		return nil, code
	}
	if env.policy != nil {
		cfg = env.policy.Config // the machine policy applied at the login (openAuth)
	}
	env.emit("logged_in", map[string]any{"profile": acct.profile, "role": string(acct.role)})
	w, err := openWorld(ctx, env, cfg, "", acct.svc, acct, acct.crmToken, true)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	ag, err := buildAgent(w, endpoints(cfg.Audio), env)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	// SOFTPHONE_SIP_PASSWORD overrides the vault's SIP password for
	// automation; the login above is still required.
	if err := ag.UseSession(acct.sess, os.Getenv("SOFTPHONE_SIP_PASSWORD")); err != nil {
		ag.Close()
		return nil, env.fail(exitConfig, err)
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := ag.WaitRegistered(rctx); err != nil {
		if r := ag.Snapshot().Registration; r.State == phone.RegFailed {
			env.emit("registration", registrationFields(r))
		}
		ag.Close()
		return nil, env.fail(exitRegistration, err)
	}
	snap := ag.Snapshot()
	env.emit("registered", map[string]any{"aor": snap.Registration.AOR})
	return ag, exitOK
}
