package ui

import (
	"testing"

	"softphone/phone"
)

func TestDeviceChangeShownInStatusArea(t *testing.T) {
	p := newFakePhone().loggedIn()
	d, _ := newTestDesktop(t, p)
	m := d.Main
	if m.Device.Visible() {
		t.Fatal("device note shown before any change")
	}
	p.emit(phone.DeviceChanged{Role: phone.RoleSpeaker, From: "USB Headset", To: "", Reason: phone.DeviceLost})
	if !m.Device.Visible() || m.Device.Text != "“USB Headset” went away: the speaker continues on the system default" {
		t.Fatalf("note %q", m.Device.Text)
	}
	p.emit(phone.DeviceChanged{Role: phone.RoleMicrophone, From: "", To: "USB Headset", Reason: phone.DeviceReturned})
	if m.Device.Text != "“USB Headset” is back: the microphone uses it again" {
		t.Fatalf("note %q", m.Device.Text)
	}
	if err := d.SetLanguage(LangGerman); err != nil {
		t.Fatal(err)
	}
	p.emit(phone.DeviceChanged{Role: phone.RoleRinger, From: "Headset", To: "", Reason: phone.DeviceLost})
	if got := d.Main.Device.Text; got != "“Headset” wurde getrennt – weiter mit Systemstandard (Klingelton-Gerät)" {
		t.Fatalf("German note %q", got)
	}
}
