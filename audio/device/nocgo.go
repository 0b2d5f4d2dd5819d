//go:build !cgo

package device

import "time"

// Without cgo there is no sound card access; Null and the WAV source/sink still work.

// Device is unavailable without cgo.
type Device struct{}

// List reports ErrNoDevice without cgo.
func List(string) (capture, playback []Info, err error) { return nil, nil, ErrNoDevice }

// Open reports ErrNoDevice without cgo.
func Open(Config) (*Device, error) { return nil, ErrNoDevice }

// Read implements audio.Source.
func (*Device) Read([]int16) (int, error) { return 0, ErrNoDevice }

// Write implements audio.Sink.
func (*Device) Write([]int16) error { return ErrNoDevice }

// Stats returns zero counters.
func (*Device) Stats() Stats { return Stats{} }

// Close does nothing.
func (*Device) Close() error { return nil }

// CaptureBacklog is zero without cgo.
func (*Device) CaptureBacklog() (backlog, period time.Duration) { return 0, 0 }

// PlaybackBacklog is zero without cgo.
func (*Device) PlaybackBacklog() (backlog, period time.Duration) { return 0, 0 }

// Alive is false without cgo.
func (*Device) Alive(time.Duration) bool { return false }
