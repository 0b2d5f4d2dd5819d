package device

import "errors"

// Sentinel errors of the device package.
var (
	// ErrNoDevice means no sound device exists (or the named one is not there). The user sees it
	// in settings: choose another device or the null device.
	ErrNoDevice = errors.New("no sound device found")
	// ErrClosed is returned by calls on a closed device or file.
	ErrClosed = errors.New("device: closed")
	// ErrFormat reports a WAV file we cannot read.
	ErrFormat = errors.New("device: unsupported or damaged WAV file")
)
