package audio

import (
	"context"
	"errors"
	"io"
	mrand "math/rand/v2"
	"net"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"softphone/audio/codec"
	"softphone/audio/jitter"
)

// minSRTCPLen is the shortest possible SRTCP packet: RTCP header, E|index and an 80-bit tag.
const minSRTCPLen = 8 + 4 + 10

// maxCatchUp bounds how many frames a late tick sends or plays at once; beyond that the clock
// jumps ahead (the machine stalled) rather than bursting.
const maxCatchUp = 5

// Run starts the rx, tx, playout and RTCP goroutines and waits for them. It returns nil when ctx
// ends, ErrClosed when the session was closed under it, or the first socket error.
func (s *Session) Run(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return ErrClosed
	case s.running:
		s.mu.Unlock()
		return ErrRunning
	}
	s.running = true
	s.startTime = time.Now()
	s.mu.Unlock()

	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// Unblock the socket readers when the call ends.
	stop := context.AfterFunc(ctx, func() {
		past := time.Unix(1, 0)
		_ = s.rtpConn.SetReadDeadline(past)
		_ = s.rtcpConn.SetReadDeadline(past)
	})
	defer stop()

	var wg sync.WaitGroup
	fail := func(err error) {
		if err != nil {
			cancel(err)
		}
	}
	wg.Go(func() { fail(s.rxLoop(ctx)) })
	wg.Go(func() { fail(s.rtcpRxLoop(ctx)) })
	// One clock drives sending and playout: a single wake-up per 20 ms frame
	// (two tickers doubled the scheduler wake-ups, the main CPU cost of a call).
	tx, txSkipped := s.txFrames()
	play := s.playoutFrames()
	wg.Go(func() {
		s.ticker(ctx, func(now time.Time) {
			tx(now)
			play(now)
		}, txSkipped)
	})
	wg.Go(func() { s.rtcpTxLoop(ctx) })
	wg.Wait()

	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, net.ErrClosed):
		return ErrClosed
	case parent.Err() != nil:
		return nil // the call ended (whatever the caller's cause): a normal end of media
	}
	return cause
}

// readErr classifies a socket read error: done means the loop must end (returning err).
func readErr(ctx context.Context, err error) (done bool, ret error) {
	if ctx.Err() != nil {
		return true, nil
	}
	if errors.Is(err, net.ErrClosed) {
		return true, err
	}
	return false, nil // e.g. ICMP unreachable reported on the socket: keep going
}

// ticker calls frame once per FrameTime of wall clock, catching up after a late wake-up so the
// number of frames matches elapsed time (the RTP clock must not drift from real time). After a
// stall longer than maxCatchUp frames it skips ahead and calls skipped with the frames dropped.
func (s *Session) ticker(ctx context.Context, frame func(now time.Time), skipped func(n int64)) {
	t := time.NewTicker(FrameTime)
	defer t.Stop()
	start := time.Now()
	var done int64
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			due := int64(now.Sub(start)/FrameTime) - done
			if due > maxCatchUp {
				done += due - 1
				if skipped != nil {
					skipped(due - 1)
				}
				due = 1
			}
			for range due {
				frame(now)
				done++
			}
		}
	}
}

// txFrames returns the per-frame send step: read the Source, encode and
// send, or send DTMF events instead; and what to do after a clock stall.
func (s *Session) txFrames() (frame func(time.Time), skipped func(int64)) {
	var (
		pcm      = make([]int16, FrameSamples)
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
			_, err = s.rtpConn.WriteToUDPAddrPort(pkt, m.remote)
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
	frame = func(time.Time) {
		defer func() { ts += FrameSamples }()
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
		}
		m := s.media.Load()
		canSend := m != nil && m.dir.CanSend() && !s.held.Load()
		if s.muted.Load() || !canSend {
			clear(pcm)
		}
		if s.cfg.Tap != nil {
			s.cfg.Tap.Captured(pcm)
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
		payload = m.send.Encode(payload[:0], pcm)
		send(m, &h, payload)
		seq++
	}
	skipped = func(n int64) {
		// The RTP clock follows real time across a stall; sequence numbers do not (nothing was sent).
		ts += uint32(n) * FrameSamples
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

// rxLoop receives RTP, authenticates/decrypts it and feeds the jitter buffer and DTMF receiver.
func (s *Session) rxLoop(ctx context.Context) error {
	buf := make([]byte, 1500)
	var r rtpReceiver
	for {
		n, _, err := s.rtpConn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if done, ret := readErr(ctx, err); done {
				return ret
			}
			continue
		}
		s.receiveRTP(&r, buf[:n], time.Now())
	}
}

// rtpReceiver is the rx goroutine's private state.
type rtpReceiver struct {
	dec      [1500]byte
	hdr      rtp.Header // reused per packet: a local one escapes to the heap (one allocation per packet)
	dtmf     dtmfReceiver
	lastSSRC uint32
	haveSSRC bool
}

// receiveRTP handles one datagram from the RTP socket.
func (s *Session) receiveRTP(r *rtpReceiver, pkt []byte, now time.Time) {
	m := s.media.Load()
	if m == nil || len(pkt) < 12 { // not negotiated, or shorter than an RTP header
		return
	}
	h := &r.hdr
	var ctxSRTP *srtp.Context
	if m.crypto != nil {
		ctxSRTP = m.crypto.rxRTP
	}
	payload, err := unprotectRTP(ctxSRTP, r.dec[:0], pkt, h)
	if err != nil {
		s.log.Debug("rtp dropped", "err", err, "len", len(pkt))
		s.statsMu.Lock()
		s.srtpFail++
		s.statsMu.Unlock()
		return
	}
	if h.Version != 2 || !m.dir.CanRecv() {
		return
	}
	dtmfPkt := m.isDTMF(h.PayloadType)
	_, audioPkt := m.recv[h.PayloadType]
	if !dtmfPkt && !audioPkt {
		return // comfort noise, unknown codec
	}
	arrival := int64(now.Sub(s.startTime)) * SampleRate / int64(time.Second)
	s.statsMu.Lock()
	if !r.haveSSRC || h.SSRC != r.lastSSRC {
		// New source (first packet, or the peer restarted its stream): start over.
		s.rx.reset(h.SSRC, h.SequenceNumber)
		s.jb.Reset()
		r.lastSSRC, r.haveSSRC = h.SSRC, true
	}
	s.rx.update(h.SequenceNumber, h.Timestamp, len(payload), arrival, audioPkt)
	if dtmfPkt {
		s.statsMu.Unlock()
		if d, ok := r.dtmf.handle(h.Timestamp, payload); ok && s.cfg.OnDTMF != nil {
			s.cfg.OnDTMF(d)
		}
		return
	}
	s.jb.Push(jitter.Packet{Seq: h.SequenceNumber, Timestamp: h.Timestamp, PayloadType: h.PayloadType, Payload: payload}, now)
	s.statsMu.Unlock()
}

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
		copy(out, fifo[:FrameSamples])
		fifo = append(fifo[:0], fifo[FrameSamples:]...)
		if s.cfg.Tap != nil {
			s.cfg.Tap.Played(out)
		}
		if s.cfg.Sink != nil {
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

// rtcpTxLoop sends a compound SR/RR + SDES every RTCP interval (randomised ±50 %, RFC 3550
// section 6.3.1) and a BYE at the end.
func (s *Session) rtcpTxLoop(ctx context.Context) {
	plain := make([]byte, 0, 1500)
	enc := make([]byte, 0, 1500)
	sendReport := func(bye bool) {
		m := s.media.Load()
		if m == nil {
			return
		}
		pkts := s.buildReport(time.Now(), bye)
		b, err := rtcp.Marshal(pkts)
		if err != nil {
			return
		}
		plain = append(plain[:0], b...)
		out := plain
		if m.crypto != nil {
			if out, err = m.crypto.txRTCP.EncryptRTCP(enc[:0], plain, nil); err != nil {
				s.log.Warn("srtcp protect failed", "err", err)
				return
			}
		}
		if _, err := s.rtcpConn.WriteToUDPAddrPort(out, m.remoteRTCP); err != nil && !bye {
			s.log.Debug("rtcp send failed", "err", err)
		}
	}
	for {
		d := s.cfg.RTCPInterval/2 + time.Duration(mrand.Int64N(int64(s.cfg.RTCPInterval)))
		select {
		case <-ctx.Done():
			sendReport(true)
			return
		case <-time.After(d):
			sendReport(false)
		}
	}
}

// buildReport makes the compound RTCP packet: SR when we sent since the last report, else RR,
// then SDES CNAME (RFC 3550 section 6.1), then BYE at the end.
func (s *Session) buildReport(now time.Time, bye bool) []rtcp.Packet {
	s.statsMu.Lock()
	var reports []rtcp.ReceptionReport
	if s.rx.have {
		reports = append(reports, s.rx.report(now))
	}
	s.statsMu.Unlock()
	var pkts []rtcp.Packet
	if sent := s.sent.Load(); sent > 0 {
		rtpTime := s.baseTS + uint32(int64(now.Sub(s.startTime))*SampleRate/int64(time.Second))
		pkts = append(pkts, &rtcp.SenderReport{
			SSRC: s.ssrc, NTPTime: ntpTime(now), RTPTime: rtpTime,
			PacketCount: uint32(sent), OctetCount: uint32(s.sentOctets.Load()), Reports: reports,
		})
	} else {
		pkts = append(pkts, &rtcp.ReceiverReport{SSRC: s.ssrc, Reports: reports})
	}
	pkts = append(pkts, &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{
		Source: s.ssrc, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: s.cname}},
	}}})
	if bye {
		pkts = append(pkts, &rtcp.Goodbye{Sources: []uint32{s.ssrc}})
	}
	return pkts
}

// rtcpRxLoop receives RTCP: SR arrival for LSR/DLSR, report blocks about our stream for RTT and
// remote loss.
func (s *Session) rtcpRxLoop(ctx context.Context) error {
	buf := make([]byte, 1500)
	dec := make([]byte, 0, 1500)
	for {
		n, _, err := s.rtcpConn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if done, ret := readErr(ctx, err); done {
				return ret
			}
			continue
		}
		s.receiveRTCP(dec, buf[:n], time.Now())
	}
}

// receiveRTCP handles one datagram from the RTCP socket; dec is scratch space for decryption.
func (s *Session) receiveRTCP(dec, pkt []byte, now time.Time) {
	m := s.media.Load()
	if m == nil {
		return
	}
	plain := pkt
	if m.crypto != nil {
		if len(pkt) < minSRTCPLen {
			return // not SRTCP at all (baresip sends a short probe at call start); not an attack signal
		}
		var err error
		if plain, err = m.crypto.rxRTCP.DecryptRTCP(dec[:0], pkt, nil); err != nil {
			s.log.Debug("rtcp dropped", "err", err, "len", len(pkt))
			s.statsMu.Lock()
			s.srtpFail++
			s.statsMu.Unlock()
			return
		}
	}
	pkts, err := rtcp.Unmarshal(plain)
	if err != nil {
		return
	}
	s.handleRTCP(pkts, now)
}

func (s *Session) handleRTCP(pkts []rtcp.Packet, now time.Time) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	var blocks []rtcp.ReceptionReport
	for _, p := range pkts {
		switch p := p.(type) {
		case *rtcp.SenderReport:
			if s.rx.have && p.SSRC == s.rx.ssrc {
				s.rx.lastSR = uint32(p.NTPTime >> 16)
				s.rx.lastSRArrival = now
			}
			blocks = append(blocks, p.Reports...)
		case *rtcp.ReceiverReport:
			blocks = append(blocks, p.Reports...)
		}
	}
	for _, b := range blocks {
		if b.SSRC != s.ssrc {
			continue
		}
		s.remote = rtcpRemote{
			fraction: float64(b.FractionLost) / 256,
			lost:     int64(b.TotalLost&0x7fffff) - int64(b.TotalLost&0x800000), // signed 24 bit
			jitterMs: float64(b.Jitter) * 1000 / SampleRate,
		}
		if rtt, ok := rttFrom(b, now); ok {
			s.rtt = rtt
		}
	}
}
