package phone

import (
	"time"

	"softphone/audio"
)

// CaptureBacklog forwards the microphone's buffering to the session's latency account.
func (l *lateIO) CaptureBacklog() (backlog, period time.Duration) {
	l.mu.Lock()
	src := l.src
	l.mu.Unlock()
	if b, ok := src.(audio.CaptureBuffer); ok {
		return b.CaptureBacklog()
	}
	return 0, 0
}

// PlaybackBacklog forwards the speaker's buffering to the session's latency account.
func (l *lateIO) PlaybackBacklog() (backlog, period time.Duration) {
	l.mu.Lock()
	sink := l.sink
	l.mu.Unlock()
	if b, ok := sink.(audio.PlaybackBuffer); ok {
		return b.PlaybackBacklog()
	}
	return 0, 0
}
