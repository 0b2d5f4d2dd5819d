//go:build !linux

package audio

// rawSock is Linux-only: elsewhere the RTP socket stays a net.UDPConn.
type rawSock struct{}

func (s *Session) detachRTP() {}

func (s *Session) closeRTP() error { return s.rtpConn.Close() }
