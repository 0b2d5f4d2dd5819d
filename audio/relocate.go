package audio

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// ErrRelocateRunning is returned by Relocate for a running session whose sockets are bound to
// the old address (Config.Relocatable unset): they cannot be swapped under the media goroutines.
var ErrRelocateRunning = errors.New("audio: sockets are bound to the old address while media runs; set Config.Relocatable")

// bindAddr is the address the RTP/RTCP sockets bind to: LocalIP, or the unspecified address of
// its family when the session is relocatable.
func (s *Session) bindAddr() netip.Addr {
	if !s.cfg.Relocatable {
		return s.cfg.LocalIP
	}
	if s.cfg.LocalIP.Unmap().Is4() {
		return netip.IPv4Unspecified()
	}
	return netip.IPv6Unspecified()
}

// listenPair binds RTP on port and RTCP on port+1 at addr.
func listenPair(addr netip.Addr, port int) (rtp, rtcp *net.UDPConn, err error) {
	rtp, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, uint16(port))))
	if err != nil {
		return nil, nil, err
	}
	rtcp, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, uint16(port+1))))
	if err != nil {
		_ = rtp.Close()
		return nil, nil, err
	}
	return rtp, rtcp, nil
}

// Relocate moves the session to a new local address (the machine's address changed): the next
// Offer or Answer advertises it. Sockets bound to the unspecified address (Config.Relocatable)
// already receive on it and send from it, so nothing else changes and Run goes on. Sockets
// bound to the old address are rebound, on the same port pair when free, else on a new pair,
// but only before Run started (ErrRelocateRunning after). The peer learns the address from
// the re-INVITE the caller sends with the next Offer.
func (s *Session) Relocate(local netip.Addr) error {
	if !local.IsValid() || local.IsUnspecified() {
		return fmt.Errorf("%w: relocate to %v", ErrBadConfig, local)
	}
	local = local.Unmap()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if local == s.cfg.LocalIP {
		return nil
	}
	if s.cfg.Relocatable {
		if local.Is4() != s.cfg.LocalIP.Is4() {
			return fmt.Errorf("%w: relocate from %v to another address family (%v)", ErrBadConfig, s.cfg.LocalIP, local)
		}
		s.log.Info("media relocated", "from", s.cfg.LocalIP, "to", local)
		s.cfg.LocalIP = local
		return nil
	}
	if s.running {
		return ErrRelocateRunning
	}
	oldRTP, oldRTCP, oldIP := s.rtpConn, s.rtcpConn, s.cfg.LocalIP
	s.cfg.LocalIP = local
	if rc, cc, err := listenPair(local, s.port); err == nil {
		s.rtpConn, s.rtcpConn = rc, cc
	} else if err := s.bind(); err != nil {
		s.cfg.LocalIP = oldIP
		return fmt.Errorf("relocate media to %v: %w", local, err)
	}
	_ = oldRTP.Close()
	_ = oldRTCP.Close()
	s.log.Info("media relocated", "from", oldIP, "to", local, "rtp", s.port)
	return nil
}
