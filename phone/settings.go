package phone

import (
	"context"
	"fmt"

	"softphone/config"
)

// DeviceSelector is implemented by Endpoints that open configured sound
// devices: saved settings choose the devices of the next call and of the
// ringtone.
type DeviceSelector interface {
	SelectDevices(a config.Audio)
}

// Audio device kinds for SetAudioDevice.
const (
	DeviceInput  = "input"
	DeviceOutput = "output"
	DeviceRing   = "ring"
)

// UpdateSettings replaces the configuration. Account changes take effect
// at the next registration (log out and in); media and call settings with
// the next call.
func (a *Agent) UpdateSettings(s config.Config) error {
	if err := s.Validate(); err != nil {
		return err
	}
	a.mu.Lock()
	a.cfg.Settings = s
	a.mu.Unlock()
	if sel, ok := a.cfg.Endpoints.(DeviceSelector); ok {
		sel.SelectDevices(s.Audio)
	}
	return nil
}

// SaveSettings validates cfg, applies it (account changes at the next
// login) and writes the configuration file (Config.SettingsFile), which
// never holds a secret. An invalid cfg changes nothing.
func (a *Agent) SaveSettings(ctx context.Context, cfg config.Config) error {
	if err := a.UpdateSettings(cfg); err != nil {
		return err
	}
	if a.cfg.SettingsFile == "" {
		return nil
	}
	if err := config.Save(a.cfg.SettingsFile, cfg); err != nil {
		return fmt.Errorf("save settings: %w", err)
	}
	return nil
}

// SetAudioDevice selects the device of a kind (DeviceInput, DeviceOutput,
// DeviceRing) by name for the next call ("" is the system default) and
// stores the choice: the chosen device heads the role's priority list, the
// others stay as fallbacks.
func (a *Agent) SetAudioDevice(kind, name string) error {
	cfg := a.Settings()
	switch kind {
	case DeviceInput:
		cfg.Audio.Prefer(config.RoleMicrophone, name)
	case DeviceOutput:
		cfg.Audio.Prefer(config.RoleSpeaker, name)
	case DeviceRing:
		cfg.Audio.Prefer(config.RoleRinger, name)
	default:
		return fmt.Errorf("unknown device kind %q", kind)
	}
	return a.SaveSettings(context.Background(), cfg)
}
