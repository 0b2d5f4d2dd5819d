package main

import (
	"softphone/audio/device"
	"softphone/phone"
)

// deviceChanged turns the sound card's hot-plug report into the phone's event (phone does not
// import audio/device: it would pull cgo into the core).
func deviceChanged(ch device.Change) phone.DeviceChanged {
	e := phone.DeviceChanged{From: ch.From, To: ch.To, Reason: phone.DeviceLost}
	switch ch.Role {
	case device.RoleSpeaker:
		e.Role = phone.RoleSpeaker
	case device.RoleRinger:
		e.Role = phone.RoleRinger
	default:
		e.Role = phone.RoleMicrophone
	}
	if ch.Reason == device.ChangeReturned {
		e.Reason = phone.DeviceReturned
	}
	return e
}
