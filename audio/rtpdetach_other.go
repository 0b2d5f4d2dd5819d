//go:build !linux

package audio

import "net/netip"

// rawSock is Linux-only: elsewhere the RTP socket stays a net.UDPConn.
type rawSock struct{}

func (s *Session) detachRTP() {}

func (s *Session) closeRTP() error { return s.rtpConn.Close() }

// writeRTPOther writes a datagram that is not the media clock's (DTLS records) on the RTP socket.
func (s *Session) writeRTPOther(b []byte, to netip.AddrPort) error {
	_, err := s.rtpConn.WriteToUDPAddrPort(b, to)
	return err
}
