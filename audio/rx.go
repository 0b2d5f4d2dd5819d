package audio

import (
	"context"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"

	"softphone/audio/jitter"
)

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
	if s.dtlsRecord(pkt, false) { // DTLS-SRTP handshake records share the flow (dtls.go)
		return
	}
	m := s.media.Load()
	if m == nil {
		return // not negotiated yet
	}
	if len(pkt) < 12 { // shorter than an RTP header
		s.countDropped()
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
	if h.Version != 2 {
		s.countDropped()
		return
	}
	if !m.dir.CanRecv() {
		return
	}
	dtmfPkt := m.isDTMF(h.PayloadType)
	_, audioPkt := m.recv[h.PayloadType]
	if !dtmfPkt && !audioPkt {
		s.countDropped() // comfort noise, a codec not negotiated
		return
	}
	arrival := int64(now.Sub(s.startTime)) * int64(m.clock) / int64(time.Second)
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

// countDropped counts a datagram that was not usable RTP (Stats.Dropped).
func (s *Session) countDropped() {
	s.statsMu.Lock()
	s.dropped++
	s.statsMu.Unlock()
}
