package ui

import (
	"context"

	"softphone/config"
	"softphone/phone"
)

// Phone is what the desktop needs from the agent session. phone.Agent
// implements it; tests use a hand-written fake.
type Phone interface {
	// Snapshot returns the whole state at one instant.
	Snapshot() phone.Snapshot
	// Watch calls fn on the phone's goroutine for every event until fn
	// returns false or ctx ends.
	Watch(ctx context.Context, fn func(phone.Event) bool)

	// Login checks password and code; errors: phone.ErrLoginRefused,
	// phone.ErrLocked, phone.ErrEnrolmentRequired.
	Login(ctx context.Context, profile, password, code string) error
	// BeginEnrolment starts the first-login TOTP enrolment.
	BeginEnrolment(ctx context.Context, profile, password string) (phone.Enrolment, error)
	// CompleteEnrolment confirms enrolment with a first code and returns the
	// single-use recovery codes (shown once).
	CompleteEnrolment(ctx context.Context, profile, password, code string) (recoveryCodes []string, err error)
	// Lock locks the session (idle lock or on request).
	Lock()
	// Unlock needs the password and a fresh code.
	Unlock(ctx context.Context, password, code string) error
	// Logout ends the session (un-registers).
	Logout(ctx context.Context) error

	// Dial places a call to target (a cleaned number or a SIP URI).
	Dial(ctx context.Context, target string) (callID string, err error)
	// Answer answers an incoming call.
	Answer(ctx context.Context, id string) error
	// Decline rejects an incoming call.
	Decline(id string) error
	// Hangup ends a call.
	Hangup(id string) error
	// Hold puts a call on hold or resumes it.
	Hold(ctx context.Context, id string, on bool) error
	// Mute mutes or unmutes the microphone for a call.
	Mute(id string, on bool) error
	// SendDTMF sends digits (0-9, *, #, A-D) on a call.
	SendDTMF(id, digits string) error
	// Transfer blind-transfers a call to target.
	Transfer(ctx context.Context, id, target string) error
}

// The interfaces below are optional: the desktop type-asserts the Phone
// (or takes them from options) and hides what is not available.

// Demo is implemented by a phone running against the embedded demo PBX.
type Demo interface {
	// DemoCall makes a demo customer call the agent.
	DemoCall(ctx context.Context) error
	// DemoLogin is the demo profile, its password and the TOTP code valid
	// now, which the login screen shows (in the agent's language).
	DemoLogin() (profile, password, code string)
}

// Ringer plays the ringtone (assets.RingtonePCM, looped) on the ring
// device. The desktop switches it on while a call is incoming and off
// otherwise; Ring is called on the Fyne thread and must not block.
type Ringer interface {
	Ring(on bool)
}

// Audio device kinds for AudioDevices.
const (
	DeviceInput  = phone.DeviceInput
	DeviceOutput = phone.DeviceOutput
	DeviceRing   = phone.DeviceRing
)

// AudioDevices lists and selects sound devices.
type AudioDevices interface {
	// AudioDevices lists the names of devices of kind DeviceInput,
	// DeviceOutput or DeviceRing.
	AudioDevices(kind string) ([]string, error)
	// SetAudioDevice selects a device by name; "" selects the system default.
	SetAudioDevice(kind, name string) error
}

// CallHistory returns the local call history, newest first.
type CallHistory interface {
	CallHistory(ctx context.Context, limit int) ([]phone.CallInfo, error)
}

// SettingsStore loads and saves the configuration file.
type SettingsStore interface {
	// Settings returns the current configuration.
	Settings() config.Config
	// SaveSettings validates, stores and applies cfg.
	SaveSettings(ctx context.Context, cfg config.Config) error
}

// AudioLevels reports a call's current audio levels for the VU meters,
// each 0..1 (peak of the last frame). The desktop polls it about 15 times a
// second on the Fyne thread, so it must return at once (read an atomic).
type AudioLevels interface {
	AudioLevels(id string) (mic, speaker float64)
}
