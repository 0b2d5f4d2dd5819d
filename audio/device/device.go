package device

import (
	"log/slog"
	"time"
)

// Config selects the sound devices.
type Config struct {
	// Backend is "" for the platform default (WASAPI, Core Audio, PulseAudio/ALSA) or "null" for
	// miniaudio's null backend (a clocked device that captures silence and discards playback).
	Backend string
	// Capture and Playback name a device (Info.Name or Info.ID); "" is the system default.
	Capture, Playback string
	// PlaybackOnly opens no microphone (the ringtone on the ring device).
	PlaybackOnly bool
	// SampleRate of the frames Read and Write carry: 0 means SampleRate (8 kHz); 16000 for
	// wideband calls (miniaudio converts from the hardware rate).
	SampleRate int
	// Period is the device period asked of the backend, each way: 0 means DefaultPeriod (5 ms).
	// A machine whose sound server drops out at 5 ms (the close log counts the gaps) takes 10
	// or 20 ms, for 5 or 15 ms more delay each way.
	Period time.Duration
	Logger *slog.Logger
}

// DefaultPeriod is the device period when Config.Period is zero. 5 ms: the echo test measured
// 66-108 ms above PulseAudio's pass-through floor, against 94-120 ms with 10 ms periods, whose
// send-side account also passed 40 ms (make bench-latency, runs alternated in one hour); 10 ms
// had fewer gaps on a loaded machine.
const DefaultPeriod = 5 * time.Millisecond

// Info describes a device for a settings screen.
type Info struct {
	ID      string
	Name    string
	Default bool
	// Backend is the sound server's own name for it where it has one (PulseAudio's
	// "alsa_output.usb-…", "speaker.monitor"): unique and stable across replugging, where display
	// names often are not. Settings store it.
	Backend string
}

// Stats are a device's buffer counters (in samples, except CaptureShortReads in frames).
type Stats struct {
	CaptureOverflow   uint64 // captured samples dropped: ring full or latency bound
	CaptureShortReads uint64 // Read calls that found less than a frame
	PlaybackOverflow  uint64 // samples dropped because playback fell behind
	PlaybackUnderflow uint64 // silence inserted because playback ran dry
}
