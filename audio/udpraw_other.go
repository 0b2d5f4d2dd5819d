//go:build !linux

package audio

import "net/netip"

// udpSender is Linux-only (raw sendto); elsewhere RTP goes out through the net.UDPConn.
type udpSender struct{}

// writeRTP is the plain-UDP fast path of sendRTP.
func (s *Session) writeRTP(pkt []byte, to netip.AddrPort) error {
	_, err := s.rtpConn.WriteToUDPAddrPort(pkt, to)
	return err
}

func (s *Session) newRTPSender() *udpSender { return nil }

// writeRTPOther writes a datagram that is not the media clock's (DTLS records) on the RTP
// socket: the socket stays a net.UDPConn here, so it is writeRTP.
func (s *Session) writeRTPOther(b []byte, to netip.AddrPort) error { return s.writeRTP(b, to) }
