package phone

import (
	"time"

	"softphone/audio"
)

// acousticGate runs the echo canceller and noise suppressor (echo control "auto") only while the
// call's audio is a microphone and a speaker: devices that capture and play
// (audio.CaptureBuffer and audio.PlaybackBuffer, as the sound card's are). WAV files
// (`call --play/--record`) and the null device pass through untouched: no microphone hears
// them, and the canceller was a fifth of a headless call's CPU for nothing.
type acousticGate struct {
	io *lateIO
	p  audio.FrameProcessor
}

// Process cleans near into out when the devices are acoustic, else copies it.
func (g acousticGate) Process(near, far, out []int16) {
	if g.io.acoustic() {
		g.p.Process(near, far, out)
		return
	}
	copy(out, near)
}

// Latency is the processor's delay while it runs, else zero.
func (g acousticGate) Latency() time.Duration {
	if g.io.acoustic() {
		return g.p.Latency()
	}
	return 0
}

// acoustic reports whether the attached source captures from a device and the sink plays on one.
func (l *lateIO) acoustic() bool {
	l.mu.Lock()
	src, sink := l.src, l.sink
	l.mu.Unlock()
	_, mic := src.(audio.CaptureBuffer)
	_, speaker := sink.(audio.PlaybackBuffer)
	return mic && speaker
}
