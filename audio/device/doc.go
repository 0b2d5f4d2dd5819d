// Package device provides the audio.Source and audio.Sink implementations: the sound card through
// miniaudio (malgo; cgo, like the echo canceller in audio/dsp), a pure-Go null device, and WAV file source and sink.
// All work in 20 ms mono frames at 8 kHz; a sound card opened with Config.SampleRate 16000 works
// at 16 kHz for wideband calls.
package device

// SampleRate is the rate of every frame this package reads or writes.
const SampleRate = 8000

// FrameSamples is one 20 ms frame at SampleRate.
const FrameSamples = 160
