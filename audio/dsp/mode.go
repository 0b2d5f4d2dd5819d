package dsp

import (
	"fmt"
	"strings"
)

// Mode is the agent's echo-control setting.
type Mode int

// Modes. The zero value is ModeAuto.
const (
	ModeAuto Mode = iota // on unless the output device is a headset
	ModeOn
	ModeOff
)

// String is the setting's value in the configuration file.
func (m Mode) String() string {
	switch m {
	case ModeOn:
		return "on"
	case ModeOff:
		return "off"
	}
	return "auto"
}

// ParseMode reads a configuration value: "", "auto", "on" or "off".
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return ModeAuto, nil
	case "on", "true":
		return ModeOn, nil
	case "off", "false":
		return ModeOff, nil
	}
	return ModeAuto, fmt.Errorf("echo cancellation %q: want auto, on or off", s)
}

// Enabled decides for one call: auto cancels echo unless the output device is a headset, where
// the microphone hears no speaker.
func (m Mode) Enabled(outputDevice string) bool {
	switch m {
	case ModeOn:
		return true
	case ModeOff:
		return false
	}
	return !IsHeadset(outputDevice)
}

// headsetWords mark a device name as a headset; speakerWords override them (a "Jabra Speak" is
// a speakerphone, whose microphone hears its speaker).
var (
	headsetWords = []string{"headset", "headphone", "earphone", "earbud", "hands-free", "handsfree",
		"airpods", "buds", "plantronics", "poly blackwire", "poly voyager", "sennheiser", "epos", "jabra evolve",
		"jabra engage", "jabra biz", "h390", "h540", "h570e", "zone wired", "bluetooth headset"}
	speakerWords = []string{"speak", "speaker", "lautsprecher", "conference"}
)

// IsHeadset guesses from a device name (as the OS lists it) whether it is a headset. An empty
// name (the system default, unknown) is not.
func IsHeadset(name string) bool {
	n := strings.ToLower(name)
	for _, w := range speakerWords {
		if strings.Contains(n, w) {
			return false
		}
	}
	for _, w := range headsetWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}
