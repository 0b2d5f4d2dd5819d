package ui

import (
	"testing"

	"softphone/phone"
)

func TestCodecLabel(t *testing.T) {
	for _, tt := range []struct {
		codec string
		rate  int
		want  string
	}{{"G722", 16000, "G722 16 kHz"}, {"opus", 16000, "opus 16 kHz"}, {"PCMA", 8000, "PCMA 8 kHz"}, {"PCMU", 0, "PCMU"}, {"", 0, ""}} {
		if got := codecLabel(phone.CallInfo{Codec: tt.codec, SampleRate: tt.rate}); got != tt.want {
			t.Errorf("codecLabel(%s, %d) = %q, want %q", tt.codec, tt.rate, got, tt.want)
		}
	}
}

// The call panel shows the codec with its sample rate, and follows a change mid-call.
func TestCallPanelShowsCodecAndRate(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, clk := newTestDesktop(t, p)
	c := activeCall("c1", "AEAD_AES_128_GCM", clk.t)
	c.Codec, c.SampleRate = "G722", 16000
	p.emit(phone.CallChanged{Call: c})
	panel := d.Main.Calls.Panels["c1"]
	if got := panel.Media.Text; got != "AEAD_AES_128_GCM · G722 16 kHz" {
		t.Errorf("media = %q", got)
	}
	c.Codec, c.SampleRate = "PCMU", 8000
	p.emit(phone.CallChanged{Call: c})
	if got := panel.Media.Text; got != "AEAD_AES_128_GCM · PCMU 8 kHz" {
		t.Errorf("media after a codec change = %q", got)
	}
}
