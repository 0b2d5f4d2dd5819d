package config

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAudioPriority(t *testing.T) {
	a := Audio{Output: "Headset", Speakers: []string{"Speakers", "Headset", ""}}
	assert.Equal(t, []string{"Headset", "Speakers"}, a.Priority(RoleSpeaker), "single choice first, no duplicates")
	assert.Empty(t, a.Priority(RoleMicrophone))
	assert.Nil(t, a.Priority("bogus"))

	a.Prefer(RoleSpeaker, "USB Dock")
	assert.Equal(t, []string{"USB Dock", "Headset", "Speakers"}, a.Priority(RoleSpeaker))
	assert.Equal(t, "USB Dock", a.Output)
	a.Prefer(RoleSpeaker, "Speakers")
	assert.Equal(t, []string{"Speakers", "USB Dock", "Headset"}, a.Priority(RoleSpeaker))
	a.Remove(RoleSpeaker, "Speakers")
	assert.Equal(t, []string{"USB Dock", "Headset"}, a.Priority(RoleSpeaker))
	assert.Equal(t, "USB Dock", a.Output, "the next one becomes preferred")
	a.Prefer(RoleSpeaker, "")
	assert.Equal(t, "", a.Output, "system default preferred")
	assert.Equal(t, []string{"USB Dock", "Headset"}, a.Speakers, "fallbacks kept")

	a.Prefer(RoleRinger, "Speakers")
	a.Prefer(RoleMicrophone, "Headset Mic")
	path := filepath.Join(t.TempDir(), "config.toml")
	c := Default()
	c.Audio = a
	require.NoError(t, Save(path, c))
	back, err := Load(path)
	require.NoError(t, err)
	assert.Equal(t, []string{"USB Dock", "Headset"}, back.Audio.Priority(RoleSpeaker))
	assert.Equal(t, []string{"Speakers"}, back.Audio.Priority(RoleRinger))
	assert.Equal(t, []string{"Headset Mic"}, back.Audio.Priority(RoleMicrophone))
}
