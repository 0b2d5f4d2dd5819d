package audio

import (
	"errors"
	"io"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
)

// txFrames returns the per-frame send step: read the Source, encode and
// send, or send DTMF events instead; and what to do after a clock stall.
func (s *Session) txFrames() (frame func(time.Time), skipped func(int64)) {
	var (
		pcm      = make([]int16, s.frameSamples())
		far      = s.farEnd() // the frame played last, for echo cancellation
		tap      = newTapDown(s.rate())
		payload  = make([]byte, 0, 512)
		plain    = make([]byte, 1500)
		cipher   = make([]byte, 0, 1500)
		seq      = s.baseSeq
		ts       = s.baseTS
		dtmf     dtmfSender
		srcEnded bool
		wasSend  bool
		h        rtp.Header // reused per packet (a per-frame one escapes to the heap)
		lastErr  time.Time
	)
	send := func(m *mediaState, h *rtp.Header, p []byte) {
		var ctxSRTP = m.cryptoTx()
		pkt, err := protectRTP(ctxSRTP, plain, cipher, h, p)
		if err == nil {
			err = s.sendRTP(pkt)
		}
		if err != nil {
			if time.Since(lastErr) > 5*time.Second {
				s.log.Warn("rtp send failed", "err", err)
				lastErr = time.Now()
			}
			return
		}
		s.sent.Add(1)
		s.sentOctets.Add(uint64(len(p)))
	}
	step := uint32(FrameSamples) // RTP timestamp units per frame, from the codec's clock
	frame = func(time.Time) {
		defer func() { ts += step }()
		clear(pcm)
		if s.cfg.Source != nil && !srcEnded {
			if _, err := s.cfg.Source.Read(pcm); err != nil {
				if errors.Is(err, io.EOF) {
					s.log.Info("audio source ended; sending silence")
				} else {
					s.log.Warn("audio source failed; sending silence", "err", err)
				}
				srcEnded = true
				clear(pcm)
			}
			s.latency.captured(s.cfg.Source)
		}
		if s.cfg.Processor != nil {
			s.cfg.Processor.Process(pcm, far, pcm)
		}
		m := s.media.Load()
		if m != nil {
			step = m.send.tsPerFrame()
		}
		canSend := m != nil && m.dir.CanSend() && !s.held.Load()
		if s.muted.Load() || !canSend {
			clear(pcm)
		}
		if s.cfg.Tap != nil {
			s.cfg.Tap.Captured(tap.frame(pcm))
		}
		if !canSend {
			wasSend = false
			return
		}
		s.mu.Lock()
		if len(s.dtmfQueue) > 0 {
			dtmf.queue = append(dtmf.queue, s.dtmfQueue...)
			s.dtmfQueue = s.dtmfQueue[:0]
		}
		s.mu.Unlock()
		h = rtp.Header{Version: 2, SequenceNumber: seq, Timestamp: ts, SSRC: s.ssrc}
		if dtmf.busy() && m.dtmfSendPT >= 0 {
			if p, ok := dtmf.next(ts); ok {
				h.PayloadType, h.Timestamp, h.Marker = uint8(m.dtmfSendPT), p.ts, p.marker
				send(m, &h, p.payload[:])
				seq++
				return
			}
		}
		h.PayloadType = m.sendPT
		h.Marker = !wasSend // start of a talk spurt (call start, resume from hold)
		wasSend = true
		payload = m.send.encode(payload[:0], pcm)
		send(m, &h, payload)
		seq++
	}
	skipped = func(n int64) {
		// The RTP clock follows real time across a stall; sequence numbers do not (nothing was sent).
		ts += uint32(n) * step
		wasSend = false
	}
	return frame, skipped
}

func (m *mediaState) cryptoTx() *srtp.Context {
	if m.crypto == nil {
		return nil
	}
	return m.crypto.txRTP
}
