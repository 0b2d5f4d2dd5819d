package audio

// The one place where media leaves the session. Without ICE the packets go out of the session's
// own UDP sockets to the negotiated address (the fast path); with ICE they go over the
// selected candidate pair, RTP and RTCP multiplexed on one component (RFC 5761).

// sendRTP writes one (S)RTP packet to the far end.
func (s *Session) sendRTP(pkt []byte) error {
	if s.nat.inUse.Load() {
		return s.sendICE(pkt)
	}
	m := s.media.Load()
	if m == nil {
		return ErrNotNegotiated
	}
	return s.writeRTP(pkt, m.remote) // raw sendto on Linux (udpraw_linux.go)
}

// sendRTCP writes one (S)RTCP compound packet to the far end.
func (s *Session) sendRTCP(pkt []byte) error {
	if s.nat.inUse.Load() {
		return s.sendICE(pkt)
	}
	m := s.media.Load()
	if m == nil {
		return ErrNotNegotiated
	}
	_, err := s.rtcpConn.WriteToUDPAddrPort(pkt, m.remoteRTCP)
	return err
}

// sendICE writes over the selected ICE pair; before the checks selected one, it drops.
func (s *Session) sendICE(pkt []byte) error {
	c := s.nat.conn.Load()
	if c == nil {
		return errICEChecking
	}
	_, err := c.Write(pkt)
	return err
}
