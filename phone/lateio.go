package phone

import (
	"sync"

	"softphone/audio"
)

// lateIO is the audio.Source and audio.Sink a session is built with before
// the agent answers: it yields silence and drops audio until the real devices
// are attached (they open only when the call is answered, so the microphone is
// not live while a call merely rings), and silences the microphone on mute.
type lateIO struct {
	mu    sync.Mutex // guards the fields below; held only for pointer swaps
	src   audio.Source
	sink  audio.Sink
	muted bool
}

func newLateIO() *lateIO { return &lateIO{} }

func (l *lateIO) set(src audio.Source, sink audio.Sink) {
	l.mu.Lock()
	l.src, l.sink = src, sink
	l.mu.Unlock()
}

func (l *lateIO) mute(on bool) {
	l.mu.Lock()
	l.muted = on
	l.mu.Unlock()
}

// Read fills frame from the microphone, or with silence.
func (l *lateIO) Read(frame []int16) (int, error) {
	l.mu.Lock()
	src, muted := l.src, l.muted
	l.mu.Unlock()
	if src == nil {
		clear(frame)
		return len(frame), nil
	}
	n, err := src.Read(frame)
	if muted {
		clear(frame[:n])
	}
	return n, err
}

// Write plays frame on the speaker, if one is attached.
func (l *lateIO) Write(frame []int16) error {
	l.mu.Lock()
	sink := l.sink
	l.mu.Unlock()
	if sink == nil {
		return nil
	}
	return sink.Write(frame)
}
