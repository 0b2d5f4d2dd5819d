package audio

import (
	"context"
	mrand "math/rand/v2"
	"time"

	"github.com/pion/rtcp"
)

// minSRTCPLen is the shortest possible SRTCP packet: RTCP header, E|index and an 80-bit tag.
const minSRTCPLen = 8 + 4 + 10

// rtcpSender returns the RTCP send step of the media clock: a compound SR/RR + SDES every RTCP
// interval (randomised ±50 %, RFC 3550 section 6.3.1), and with bye the BYE at the end. A step
// before the report is due does nothing; no timer or goroutine of its own wakes for RTCP.
func (s *Session) rtcpSender(start time.Time) func(now time.Time, bye bool) {
	plain := make([]byte, 0, 1500)
	enc := make([]byte, 0, 1500)
	due := start.Add(s.rtcpInterval())
	return func(now time.Time, bye bool) {
		if !bye && now.Before(due) {
			return
		}
		due = now.Add(s.rtcpInterval())
		m := s.media.Load()
		if m == nil {
			return
		}
		pkts := s.buildReport(now, bye)
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
		if err := s.sendRTCP(out); err != nil && !bye {
			s.log.Debug("rtcp send failed", "err", err)
		}
	}
}

// rtcpInterval is the time to the next report: the configured interval ±50 % at random.
func (s *Session) rtcpInterval() time.Duration {
	return s.cfg.RTCPInterval/2 + time.Duration(mrand.Int64N(int64(s.cfg.RTCPInterval)))
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
		rtpTime := s.baseTS + uint32(int64(now.Sub(s.startTime))*int64(s.sendClock())/int64(time.Second))
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
	if s.dtlsRecord(pkt, true) { // DTLS-SRTP handshake records share the flow (dtls.go)
		return
	}
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
			jitterMs: float64(b.Jitter) * 1000 / float64(s.sendClock()),
		}
		if rtt, ok := rttFrom(b, now); ok {
			s.rtt = rtt
		}
	}
}
