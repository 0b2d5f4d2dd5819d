package phone

import (
	"context"

	"softphone/audio"
	"softphone/audio/dsp"
)

// RatedEndpoints is implemented by Endpoints whose Source and Sink run at another rate than
// 8 kHz: the desktop opens the sound card at 16 kHz so wideband calls (G.722, Opus) carry the
// agent's voice above 4 kHz.
type RatedEndpoints interface {
	SampleRate() int
}

// sampleRate is the audio rate of the call's devices.
func (c *call) sampleRate() int {
	if r, ok := c.a.cfg.Endpoints.(RatedEndpoints); ok && r.SampleRate() == audio.RateWideband {
		return audio.RateWideband
	}
	return audio.RateNarrowband
}

// voiceProcessor returns the call's echo canceller and noise suppressor, or nil when the
// setting (auto: not on a headset) or the build (no cgo) leaves it off. It is freed when the
// call ends; Process after that passes audio through, so the order of shutdown does not matter.
func (c *call) voiceProcessor() audio.FrameProcessor {
	a := c.a.Settings().Audio
	mode, err := dsp.ParseMode(a.EchoCancel)
	if err != nil || !mode.Enabled(a.Output) {
		return nil
	}
	rate := c.sampleRate()
	p, err := dsp.New(dsp.Config{SampleRate: rate, FrameSamples: rate / 50, EchoCancel: true, NoiseSuppress: true})
	if err != nil {
		c.a.log.Info("echo cancellation unavailable", "err", err)
		return nil
	}
	context.AfterFunc(c.ctx, func() { _ = p.Close() })
	if mode == dsp.ModeAuto {
		return acousticGate{io: c.io, p: p} // not for files or the null device (voice_gate.go)
	}
	return p
}

// noteCodec records the codec after a re-negotiation in i and logs a change: the call panel and
// call_state then show what really flows (issue 14: a hold once moved a call from PCMU to PCMA
// while the panel still said PCMU).
func (c *call) noteCodec(i *CallInfo, sess interface{ Codec() (string, int) }) {
	name, rate := sess.Codec()
	if name == "" {
		return
	}
	if i.Codec != "" && (i.Codec != name || i.SampleRate != rate) {
		c.a.log.Warn("codec changed mid-call", "call", c.id, "from", i.Codec, "to", name, "rate", rate)
	}
	i.Codec, i.SampleRate = name, rate
}
