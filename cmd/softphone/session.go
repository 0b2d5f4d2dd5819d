package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/zalando/go-keyring"

	"softphone/config"
	"softphone/phone"
)

// sessionFlags select the configuration and profile of a headless command.
type sessionFlags struct {
	configPath string
	backend    string
}

func (s *sessionFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&s.configPath, "config", "", "configuration file (default: the user config dir's softphone/config.toml)")
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

// sipPassword finds the SIP password: the environment (for automation) or
// the OS keyring. It is never read from the configuration file.
func sipPassword(cfg config.Config) (string, error) {
	if p := os.Getenv("SOFTPHONE_SIP_PASSWORD"); p != "" {
		return p, nil
	}
	p, err := keyring.Get("softphone", "sip/"+cfg.Account.User+"@"+cfg.Account.Domain)
	if err != nil {
		return "", fmt.Errorf("no SIP password: set SOFTPHONE_SIP_PASSWORD or store it in the OS keyring (%v)", err)
	}
	return p, nil
}

// openAgent loads the configuration, builds the agent and registers it. On
// failure it has already printed the error event and returns the exit code.
func openAgent(ctx context.Context, env *cli, s *sessionFlags, eps phone.Endpoints) (*phone.Agent, int) {
	cfg, path, err := s.loadConfig()
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, env.fail(exitConfig, fmt.Errorf("no configuration at %s: write one (see README) or pass --config", path))
		}
		return nil, env.fail(exitConfig, err)
	}
	password, err := sipPassword(cfg)
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	ag, err := phone.New(phone.Config{Settings: cfg, Endpoints: eps, Logger: env.log})
	if err != nil {
		return nil, env.fail(exitConfig, err)
	}
	if err := ag.Register(ctx, password); err != nil {
		ag.Close()
		return nil, env.fail(exitRegistration, err)
	}
	snap := ag.Snapshot()
	env.emit("registered", map[string]any{"aor": snap.Registration.AOR})
	return ag, exitOK
}
