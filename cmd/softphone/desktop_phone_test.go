//go:build !headless

package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	audiocard "softphone/audio/device/card"
	"softphone/config"
	"softphone/phone"
	"softphone/ui"
)

// TestDesktopDevicesFollowSettings: the desktop's sound card takes the
// devices the settings screen saves (phone.Agent saves, the card's
// endpoints select).
func TestDesktopDevicesFollowSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	cfg := config.Default()
	cfg.Account.Server, cfg.Account.User, cfg.Account.Domain = "pbx.example:5061", "1001", "pbx.example"
	card := audiocard.New(audiocard.Config{Backend: "null"})
	ag, err := phone.New(phone.Config{Settings: cfg, SettingsFile: path, Endpoints: cardEndpoints{card}})
	require.NoError(t, err)
	defer ag.Close()
	p := desktopPhone{Agent: ag, card: card}
	var _ ui.SettingsStore = p
	var _ ui.AudioDevices = p

	require.NoError(t, p.SetAudioDevice(ui.DeviceOutput, "Headset"))
	got, err := config.Load(path)
	require.NoError(t, err)
	require.Equal(t, "Headset", got.Audio.Output)
	mics, speakers, _ := card.Lists()
	require.Empty(t, mics)
	require.Equal(t, []string{"Headset"}, speakers)
	names, err := p.AudioDevices(ui.DeviceInput)
	require.NoError(t, err)
	require.Empty(t, names, "the null backend has no devices")
}

// TestDesktopPhoneShowsPolicyLocks: the keys the machine policy locks reach
// the settings dialog through the phone the desktop drives (demo or not).
func TestDesktopPhoneShowsPolicyLocks(t *testing.T) {
	locked := []string{"media.allow_plain_rtp"}
	dw := &desktopWorld{locked: locked}
	ls, ok := dw.phone(nil, nil).(ui.LockedSettings)
	require.True(t, ok, "the desktop phone does not report locked settings")
	require.Equal(t, locked, ls.LockedKeys())
	dw.demo = &demoEnv{}
	ls, ok = dw.phone(nil, nil).(ui.LockedSettings)
	require.True(t, ok, "the demo phone does not report locked settings")
	require.Equal(t, locked, ls.LockedKeys())
	require.Empty(t, (&desktopWorld{}).phone(nil, nil).(ui.LockedSettings).LockedKeys())
}
