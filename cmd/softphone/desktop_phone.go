//go:build !headless

package main

import (
	"context"
	"fmt"
	"time"

	"softphone/audio/device"
	"softphone/config"
	"softphone/phone"
	"softphone/ui"
)

// desktopPhone is the agent plus what the desktop's settings screen needs:
// the configuration file and the sound devices.
type desktopPhone struct {
	*phone.Agent
	card       *soundCard
	configPath string // where settings are saved; "" keeps them in memory (demo)
}

var (
	_ ui.SettingsStore = desktopPhone{}
	_ ui.AudioDevices  = desktopPhone{}
)

// SaveSettings validates cfg, applies it (account changes at the next
// login) and writes the configuration file (never holding a secret).
func (p desktopPhone) SaveSettings(ctx context.Context, cfg config.Config) error {
	if err := p.UpdateSettings(cfg); err != nil {
		return err
	}
	selectConfigured(p.card, cfg.Audio)
	if p.configPath == "" {
		return nil
	}
	if err := config.Save(p.configPath, cfg); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// AudioDevices lists the sound devices of a kind by name.
func (p desktopPhone) AudioDevices(kind string) ([]string, error) {
	if p.card.Backend() == "null" {
		return nil, nil
	}
	capture, playback, err := device.List(p.card.Backend())
	if err != nil {
		return nil, err
	}
	list := playback
	if kind == ui.DeviceInput {
		list = capture
	}
	names := make([]string, 0, len(list))
	for _, d := range list {
		names = append(names, d.Name)
	}
	return names, nil
}

// SetAudioDevice selects a device for the next call and stores the choice.
func (p desktopPhone) SetAudioDevice(kind, name string) error {
	cfg := p.Settings()
	// The chosen device heads the role's priority list; the others stay as fallbacks.
	switch kind {
	case ui.DeviceInput:
		cfg.Audio.Prefer(config.RoleMicrophone, name)
	case ui.DeviceOutput:
		cfg.Audio.Prefer(config.RoleSpeaker, name)
	case ui.DeviceRing:
		cfg.Audio.Prefer(config.RoleRinger, name)
	default:
		return fmt.Errorf("unknown device kind %q", kind)
	}
	return p.SaveSettings(context.Background(), cfg)
}

// demoPhone is the desktop's phone plus the demo's extras.
type demoPhone struct {
	desktopPhone
	env *demoEnv
}

// DemoCall makes the next demo customer call the agent. The call rings in
// the background; this returns at once.
func (p demoPhone) DemoCall(ctx context.Context) error {
	go func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		p.env.pbx.CallAgentNext(cctx)
	}()
	return nil
}

// DemoHint tells the agent how to log in to the demo.
func (p demoPhone) DemoHint() string {
	return fmt.Sprintf("Demo — profile: %s · password: %s · code: %s (changes every 30 s)\n"+
		"Call \"echo\" to hear yourself; the demo-call button makes a synthetic customer call you.",
		demoProfile, demoPassword, p.env.code())
}
