package audio

import (
	"time"

	"softphone/audio/codec"
	"softphone/audio/jitter"
)

// playoutFrames returns the per-frame playout step: it takes a frame from the jitter buffer every 20 ms, decodes or conceals it and writes
// it to the Sink.
func (s *Session) playoutFrames() func(time.Time) {
	var (
		fifo    = make([]int16, 0, 4*FrameSamples)
		out     = make([]int16, FrameSamples)
		scratch = make([]int16, 0, 2048)
		conceal jitter.Concealer
		lastErr time.Time
	)
	return func(now time.Time) {
		m := s.media.Load()
		for i := 0; len(fifo) < FrameSamples && i < 4; i++ {
			s.statsMu.Lock()
			f := s.jb.Pop(now)
			var c = m.codecFor(f.PayloadType)
			if f.Kind == jitter.FrameAudio && c != nil {
				scratch = c.Decode(scratch[:0], f.Payload)
			}
			s.statsMu.Unlock()
			switch {
			case f.Kind == jitter.FrameAudio && c != nil:
				conceal.Good(scratch)
				fifo = append(fifo, scratch...)
			case f.Kind == jitter.FrameLost:
				n := m.packetSamples()
				scratch = scratch[:n]
				conceal.Conceal(scratch)
				fifo = append(fifo, scratch...)
			default: // nothing to play: silence
				for len(fifo) < FrameSamples {
					fifo = append(fifo, 0)
				}
			}
		}
		s.statsMu.Lock()
		target, depth := s.jb.TargetDelay(), s.jb.Depth()
		s.statsMu.Unlock()
		s.latency.jitter(target, depth)
		copy(out, fifo[:FrameSamples])
		fifo = append(fifo[:0], fifo[FrameSamples:]...)
		if s.cfg.Tap != nil {
			s.cfg.Tap.Played(out)
		}
		if s.cfg.Sink != nil && s.latency.beforeWrite(s.cfg.Sink, target) {
			if err := s.cfg.Sink.Write(out); err != nil && time.Since(lastErr) > 5*time.Second {
				s.log.Warn("audio sink failed", "err", err)
				lastErr = time.Now()
			}
		}
	}
}

func (m *mediaState) codecFor(pt uint8) codec.Codec {
	if m == nil {
		return nil
	}
	if c, ok := m.recv[pt]; ok {
		return c
	}
	return nil
}

func (m *mediaState) packetSamples() int {
	if m == nil || m.ptime < 10 || m.ptime > 60 {
		return FrameSamples
	}
	return m.ptime * SampleRate / 1000
}
