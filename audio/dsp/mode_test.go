package dsp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestModeDecides(t *testing.T) {
	tests := []struct {
		mode   string
		device string
		want   bool
	}{
		{"", "", true}, // default device, unknown: laptop speakers are the safe guess
		{"auto", "Built-in Audio Analog Stereo", true},
		{"auto", "Jabra Evolve2 65 Mono", false},
		{"auto", "Plantronics Blackwire 3220 Series", false},
		{"auto", "Headset (Jabra Link 380)", false},
		{"auto", "Jabra Speak 510 USB", true},
		{"auto", "Lautsprecher (Realtek(R) Audio)", true},
		{"on", "Jabra Evolve2 65 Mono", true},
		{"off", "Built-in Audio Analog Stereo", false},
	}
	for _, tt := range tests {
		t.Run(tt.mode+"/"+tt.device, func(t *testing.T) {
			m, err := ParseMode(tt.mode)
			require.NoError(t, err)
			assert.Equal(t, tt.want, m.Enabled(tt.device))
		})
	}
	_, err := ParseMode("sometimes")
	assert.Error(t, err)
	for _, m := range []Mode{ModeAuto, ModeOn, ModeOff} {
		back, err := ParseMode(m.String())
		require.NoError(t, err)
		assert.Equal(t, m, back)
	}
}

// Close may come while the call still processes frames: afterwards audio passes through.
func TestCloseDuringUse(t *testing.T) {
	if !Available() {
		t.Skip("built without cgo")
	}
	p, err := New(Config{SampleRate: rate, FrameSamples: frame, EchoCancel: true, NoiseSuppress: true})
	require.NoError(t, err)
	near, far, out := synthVoice(frame), synthVoice(frame), make([]int16, frame)
	p.Process(near, far, out)
	require.NoError(t, p.Close())
	require.NoError(t, p.Close())
	p.Process(near, far, out)
	assert.Equal(t, near, out)
	p.Process(near[:10], far[:10], out[:10]) // wrong size: passes through, no panic
}
