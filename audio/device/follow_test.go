package device

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPickAndRank(t *testing.T) {
	present := []Info{{Name: "Speakers", Backend: "alsa_output.pci"}, {Name: "USB Headset", ID: "0a1b"}}
	tests := []struct {
		name  string
		prefs []string
		want  string
	}{
		{"first present wins", []string{"Dock", "USB Headset", "Speakers"}, "USB Headset"},
		{"by backend name", []string{"alsa_output.pci"}, "alsa_output.pci"},
		{"by ID", []string{"0a1b"}, "0a1b"},
		{"none present: system default", []string{"Dock"}, ""},
		{"empty list: system default", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, pick(tt.prefs, present)) })
	}
	prefs := []string{"Headset", "Speakers"}
	assert.Less(t, rank(prefs, "Headset"), rank(prefs, "Speakers"))
	assert.Less(t, rank(prefs, "Speakers"), rank(prefs, ""), "the default ranks last")
}

func TestChangeNotice(t *testing.T) {
	assert.Equal(t, `"Headset" went away: the speaker continues on "Speakers"`,
		Change{Role: RoleSpeaker, From: "Headset", To: "Speakers", Reason: ChangeLost}.String())
	assert.Equal(t, `"Headset" went away: the microphone continues on the system default`,
		Change{Role: RoleMicrophone, From: "Headset", Reason: ChangeLost}.String())
	assert.Equal(t, `"Headset" is back: the ringer uses it again`,
		Change{Role: RoleRinger, From: "", To: "Headset", Reason: ChangeReturned}.String())
	assert.Equal(t, "unknown", Role(9).String())
	assert.Equal(t, "unknown", ChangeReason(9).String())
}
