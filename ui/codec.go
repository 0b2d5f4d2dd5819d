package ui

import (
	"strconv"

	"softphone/phone"
)

// codecLabel is the codec and its audio rate for the call panel: "G722 16 kHz", "PCMA 8 kHz".
// The rate tells the agent at a glance whether the call is wideband.
func codecLabel(c phone.CallInfo) string {
	if c.Codec == "" || c.SampleRate <= 0 {
		return c.Codec
	}
	return c.Codec + " " + strconv.FormatFloat(float64(c.SampleRate)/1000, 'f', -1, 64) + " kHz"
}
