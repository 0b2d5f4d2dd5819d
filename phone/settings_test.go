package phone

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/audio"
	"softphone/config"
)

// selectingEndpoints records the devices saved settings select.
type selectingEndpoints struct{ got config.Audio }

func (e *selectingEndpoints) Open(CallInfo) (audio.Source, audio.Sink, io.Closer, error) {
	return nil, nil, nil, os.ErrNotExist
}
func (e *selectingEndpoints) SelectDevices(a config.Audio) { e.got = a }

// TestSaveSettingsWritesAndRefuses: the settings screen's store writes the
// file and applies it to the agent and its sound devices; an unsafe change
// (SDES keys over UDP) is refused and the file keeps its content.
func TestSaveSettingsWritesAndRefuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	cfg := testSettings()
	require.NoError(t, config.Save(path, cfg))
	ep := &selectingEndpoints{}
	ag, err := New(Config{Settings: cfg, SettingsFile: path, Endpoints: ep})
	require.NoError(t, err)
	defer ag.Close()

	next := ag.Settings()
	next.Account.Server = "pbx2.example:5061"
	require.NoError(t, ag.SaveSettings(context.Background(), next))
	got, err := config.Load(path)
	require.NoError(t, err)
	require.Equal(t, "pbx2.example:5061", got.Account.Server)
	require.Equal(t, "pbx2.example:5061", ag.Settings().Account.Server)

	bad := ag.Settings()
	bad.Account.Transport = "udp"
	require.Error(t, ag.SaveSettings(context.Background(), bad), "SDES keys over UDP accepted")
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NotContains(t, string(raw), "udp")

	require.NoError(t, ag.SetAudioDevice(DeviceOutput, "Headset"))
	got, err = config.Load(path)
	require.NoError(t, err)
	require.Equal(t, "Headset", got.Audio.Output)
	require.Equal(t, "", ep.got.Input)
	require.Equal(t, "Headset", ep.got.Output)
	require.Error(t, ag.SetAudioDevice("speaker", "x"), "unknown device kind")
}

// TestSaveSettingsInMemory: without a settings file (the demo) saving
// applies the settings and writes nothing.
func TestSaveSettingsInMemory(t *testing.T) {
	ag, err := New(Config{Settings: testSettings()})
	require.NoError(t, err)
	defer ag.Close()
	next := ag.Settings()
	next.UI.Language = "de"
	require.NoError(t, ag.SaveSettings(context.Background(), next))
	require.Equal(t, "de", ag.Settings().UI.Language)
}
