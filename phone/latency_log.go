package phone

import (
	"log/slog"
	"time"

	"softphone/audio"
)

// latencyLogEvery is how often a call logs its latency account (and once at its end), so a
// slow creep over a long call shows in the log.
const latencyLogEvery = time.Minute

// logLatency writes the media path's per-stage delay account and its drop counters.
func logLatency(log *slog.Logger, callID string, st audio.Stats) {
	l := st.Latency
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	log.Info("media latency", "call", callID,
		"send_ms", ms(l.Send()), "receive_ms", ms(l.Receive()),
		"capture_period_ms", ms(l.CapturePeriod), "capture_backlog_ms", ms(l.CaptureBacklog),
		"packetisation_ms", ms(l.Packetisation), "jitter_target_ms", ms(l.JitterTarget),
		"jitter_depth_ms", ms(l.JitterDepth), "playout_backlog_ms", ms(l.PlayoutBacklog),
		"playout_backlog_max_ms", ms(l.PlayoutBacklogMax), "playback_period_ms", ms(l.PlaybackPeriod),
		"send_processing_ms", ms(l.SendProcessing), "receive_processing_ms", ms(l.ReceiveProcessing),
		"playout_skipped", l.PlayoutSkipped, "playout_trimmed", l.PlayoutTrimmed, "srtp_failures", st.SRTPFailures, "dropped", st.Dropped)
}
