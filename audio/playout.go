package audio

import (
	"time"

	"softphone/audio/jitter"
)

// playoutFrames returns the per-frame playout step: it takes a frame from the jitter buffer every 20 ms, decodes or conceals it and writes
// it to the Sink.
func (s *Session) playoutFrames() func(time.Time) {
	var (
		frame   = s.frameSamples()
		fifo    = make([]int16, 0, 4*frame)
		out     = make([]int16, frame)
		scratch = make([]int16, 0, 6000)
		far     = s.farEnd()
		tap     = newTapDown(s.rate())
		conceal jitter.Concealer
		lastErr time.Time
		drift   = driftTrimmer{buf: make([]int16, 0, frame), trimmed: &s.latency.trimmed}
		rate    = s.rate()
	)
	return func(now time.Time) {
		m := s.media.Load()
		for i := 0; len(fifo) < frame && i < 4; i++ {
			s.statsMu.Lock()
			f := s.jb.Pop(now)
			var c = m.codecFor(f.PayloadType)
			if f.Kind == jitter.FrameAudio && c != nil {
				scratch = c.decode(scratch[:0], f.Payload)
				if s.jb.Lookahead() == 0 && c.hasFEC(f.Payload) {
					s.jb.SetLookahead(1) // keep the next packet here for a lost frame's FEC
				}
			}
			n := m.packetSamples(rate)
			codecConcealed := false
			if dec := m.primaryDecoder(); f.Kind == jitter.FrameLost && dec != nil {
				// Opus conceals by itself, and rebuilds the frame from the FEC in the next
				// packet when that packet is already here.
				next, pt, ok := s.jb.Next()
				if !ok || m.codecFor(pt) != dec {
					next = nil
				}
				scratch, codecConcealed = dec.conceal(scratch[:0], n, next)
				if codecConcealed && dec.fec {
					s.fecRecovered.Add(1)
				}
			}
			s.statsMu.Unlock()
			switch {
			case f.Kind == jitter.FrameAudio && c != nil:
				conceal.Good(scratch)
				fifo = append(fifo, scratch...)
			case f.Kind == jitter.FrameLost && codecConcealed:
				fifo = append(fifo, scratch...)
			case f.Kind == jitter.FrameLost:
				scratch = scratch[:n]
				conceal.Conceal(scratch)
				fifo = append(fifo, scratch...)
			default: // nothing to play: silence
				for len(fifo) < frame {
					fifo = append(fifo, 0)
				}
			}
		}
		s.statsMu.Lock()
		target, wait := s.jb.TargetDelay(), s.jb.Wait()
		s.statsMu.Unlock()
		s.latency.jitter(target, wait)
		copy(out, fifo[:frame])
		fifo = append(fifo[:0], fifo[frame:]...)
		copy(far, out)
		if s.cfg.Tap != nil {
			s.cfg.Tap.Played(tap.frame(out))
		}
		if s.cfg.Sink != nil && s.latency.beforeWrite(s.cfg.Sink, target) {
			if err := s.cfg.Sink.Write(drift.frame(s.cfg.Sink, out, target, rate)); err != nil && time.Since(lastErr) > 5*time.Second {
				s.log.Warn("audio sink failed", "err", err)
				lastErr = time.Now()
			}
		}
	}
}

func (m *mediaState) codecFor(pt uint8) *decoder {
	if m == nil {
		return nil
	}
	return m.recv[pt]
}

// packetTime is the peer's packet time (20 ms unless it asked for 10 to 60 ms).
func (m *mediaState) packetTime() time.Duration {
	if m == nil || m.ptime < 10 || m.ptime > 60 {
		return FrameTime
	}
	return time.Duration(m.ptime) * time.Millisecond
}

// packetSamples is one packet's worth of samples at rate.
func (m *mediaState) packetSamples(rate int) int {
	return int(m.packetTime() * time.Duration(rate) / time.Second)
}
