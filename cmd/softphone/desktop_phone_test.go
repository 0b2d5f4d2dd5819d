//go:build !headless

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/audio/device/card"
	"softphone/config"
	"softphone/phone"
	"softphone/ui"
)

// TestDesktopSettingsSaveAndRefuse: the settings screen's store writes the
// file and applies it to the agent; an unsafe change (SDES keys over UDP)
// is refused and the file keeps its content.
func TestDesktopSettingsSaveAndRefuse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	cfg := config.Default()
	cfg.Account.Server, cfg.Account.User, cfg.Account.Domain = "pbx.example:5061", "1001", "pbx.example"
	require.NoError(t, config.Save(path, cfg))
	ag, err := phone.New(phone.Config{Settings: cfg})
	require.NoError(t, err)
	defer ag.Close()
	p := desktopPhone{Agent: ag, card: card.New(card.Config{Backend: "null"}), configPath: path}

	next := p.Settings()
	next.Account.Server = "pbx2.example:5061"
	require.NoError(t, p.SaveSettings(context.Background(), next))
	got, err := config.Load(path)
	require.NoError(t, err)
	require.Equal(t, "pbx2.example:5061", got.Account.Server)
	require.Equal(t, "pbx2.example:5061", ag.Settings().Account.Server)

	bad := p.Settings()
	bad.Account.Transport = "udp"
	require.Error(t, p.SaveSettings(context.Background(), bad), "SDES keys over UDP accepted")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "udp")

	require.NoError(t, p.SetAudioDevice(ui.DeviceOutput, "Headset"))
	got, err = config.Load(path)
	require.NoError(t, err)
	require.Equal(t, "Headset", got.Audio.Output)
	mics, speakers, _ := p.card.Lists()
	require.Empty(t, mics)
	require.Equal(t, []string{"Headset"}, speakers)
}
