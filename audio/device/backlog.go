//go:build cgo

package device

import (
	"sync/atomic"
	"time"
)

// samplesToDuration converts a sample count at the device's rate to a duration.
func (d *Device) samplesToDuration(n uint64) time.Duration {
	return time.Duration(n) * time.Second / time.Duration(d.rate)
}

// CaptureBacklog is the captured audio waiting for Read now, and the capture period (the largest
// transfer the backend made). Together they are the capture stage of the latency account.
func (d *Device) CaptureBacklog() (backlog, period time.Duration) {
	return d.samplesToDuration(uint64(max(d.capture.Len(), 0))), d.samplesToDuration(d.capChunk.Load())
}

// PlaybackBacklog is the audio queued for the playback callback now, and the playback period.
// The period is zero while the stream is not running (no callback for 50 ms: not started yet, or
// stalled): then nothing plays, and the callback trims the queue when it resumes, so a backlog
// seen meanwhile is not a delay anybody hears.
func (d *Device) PlaybackBacklog() (backlog, period time.Duration) {
	backlog = d.samplesToDuration(uint64(max(d.playback.Len(), 0)))
	if time.Duration(monotonic()-d.streams[streamPlayback].last.Load()) > 50*time.Millisecond {
		return backlog, 0
	}
	return backlog, d.samplesToDuration(d.playChunk.Load())
}

// Alive reports whether the device still runs: false once the backend stopped it (unplugged,
// sound server gone), when a stream has run steadily and then no callback came within the given
// time, or when a stream never got going within startGrace of Open.
func (d *Device) Alive(within time.Duration) bool {
	if d.stopped.Load() {
		return false
	}
	now := monotonic()
	for i := range d.streams {
		if i == streamCapture && d.playOnly {
			continue
		}
		if !d.streams[i].alive(now, d.opened, within) {
			return false
		}
	}
	return true
}

// Stream indexes of Device.streams.
const (
	streamCapture = iota
	streamPlayback
)

// streamHealth is one stream's heartbeat, written by its callback only.
type streamHealth struct {
	last      atomic.Int64 // monotonic nanoseconds of the last callback
	callbacks atomic.Uint64
}

func (h *streamHealth) beat() {
	h.last.Store(monotonic())
	h.callbacks.Add(1)
}

func (h *streamHealth) alive(now, opened int64, within time.Duration) bool {
	if h.callbacks.Load() < steadyCallbacks {
		return time.Duration(now-opened) <= startGrace // still starting
	}
	return time.Duration(now-h.last.Load()) <= within
}

// logClose logs the periods the backend used and the gaps while running (make bench-latency
// prints them beside the latency account).
func (d *Device) logClose() {
	ms := func(samples uint64) float64 { return float64(d.samplesToDuration(samples).Microseconds()) / 1000 }
	st := d.Stats()
	d.log.Debug("audio device closed", "capture_period_ms", ms(d.capChunk.Load()), "playback_period_ms", ms(d.playChunk.Load()),
		"capture_short_reads_running", d.runShortReads.Load(), "playback_gaps_running_ms", ms(d.runUnderflows.Load()),
		"capture_overflow", st.CaptureOverflow, "capture_short_reads", st.CaptureShortReads,
		"playback_overflow", st.PlaybackOverflow, "playback_underflow", st.PlaybackUnderflow)
}
