//go:build !headless

package main

import (
	"context"
	"time"

	"softphone/audio/device"
	"softphone/phone"
	"softphone/ui"
)

// desktopPhone is the agent (which saves settings and selects devices)
// plus the list of the sound card's devices for the settings screen.
type desktopPhone struct {
	*phone.Agent
	card   *soundCard
	locked []string // config keys the machine policy fixes (settings dialog)
}

var (
	_ ui.SettingsStore  = desktopPhone{}
	_ ui.AudioDevices   = desktopPhone{}
	_ ui.LockedSettings = desktopPhone{}
)

// LockedKeys implements ui.LockedSettings: the settings the machine policy
// fixes, shown locked in the settings dialog.
func (p desktopPhone) LockedKeys() []string { return p.locked }

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

// DemoLogin is the demo's profile, password and current TOTP code, for the
// login screen.
func (p demoPhone) DemoLogin() (profile, password, code string) {
	return demoProfile, demoPassword, p.env.code()
}
