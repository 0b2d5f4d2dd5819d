package main

import (
	"testing"

	"softphone/audio/device"
	"softphone/phone"
)

func TestDeviceChangeFromCard(t *testing.T) {
	for _, tc := range []struct {
		in   device.Change
		want phone.DeviceChanged
	}{
		{device.Change{Role: device.RoleSpeaker, From: "Headset", To: "", Reason: device.ChangeLost},
			phone.DeviceChanged{Role: phone.RoleSpeaker, From: "Headset", To: "", Reason: phone.DeviceLost}},
		{device.Change{Role: device.RoleMicrophone, From: "", To: "Headset", Reason: device.ChangeReturned},
			phone.DeviceChanged{Role: phone.RoleMicrophone, From: "", To: "Headset", Reason: phone.DeviceReturned}},
		{device.Change{Role: device.RoleRinger, From: "A", To: "B", Reason: device.ChangeLost},
			phone.DeviceChanged{Role: phone.RoleRinger, From: "A", To: "B", Reason: phone.DeviceLost}},
	} {
		if got := deviceChanged(tc.in); got != tc.want {
			t.Errorf("deviceChanged(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
	if phone.RoleRinger.String() != "ringer" || phone.DeviceReturned.String() != "returned" || phone.DeviceRole(9).String() != "unknown" {
		t.Error("String names")
	}
}
