package phone

// DeviceRole is what a sound device is used for.
type DeviceRole int

// Device roles.
const (
	RoleMicrophone DeviceRole = iota
	RoleSpeaker
	RoleRinger
)

// String names the role as the settings do.
func (r DeviceRole) String() string {
	switch r {
	case RoleMicrophone:
		return "microphone"
	case RoleSpeaker:
		return "speaker"
	case RoleRinger:
		return "ringer"
	}
	return "unknown"
}

// DeviceChangeReason says why the phone moved a role to another device.
type DeviceChangeReason int

// Device change reasons.
const (
	DeviceLost     DeviceChangeReason = iota // the device in use went away (unplugged)
	DeviceReturned                           // a device higher in the priority list came back
)

// String names the reason.
func (r DeviceChangeReason) String() string {
	switch r {
	case DeviceLost:
		return "lost"
	case DeviceReturned:
		return "returned"
	}
	return "unknown"
}

// DeviceChanged is sent when a call's or the ringtone's sound moved to another device by
// itself (a headset unplugged, or plugged back): the notice the agent must see. From and To
// are device names; "" is the system default.
type DeviceChanged struct {
	Role     DeviceRole
	From, To string
	Reason   DeviceChangeReason
}

func (DeviceChanged) isEvent() {}

// ReportDeviceChange tells every watcher that a sound device changed under a call or the
// ringtone. The sound card calls it from its watch goroutine; it does not block.
func (a *Agent) ReportDeviceChange(e DeviceChanged) {
	a.log.Info("sound device changed", "role", e.Role.String(), "reason", e.Reason.String(), "from", e.From, "to", e.To)
	a.hub.publish(e)
}
