package audio

import (
	"context"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/pion/ice/v4"

	"softphone/audio/sdp"
)

// connectLeg runs the connectivity checks of one leg (controlling: Dial, controlled: Accept)
// and makes its conn the media path once a pair is selected.
func (s *Session) connectLeg(ctx context.Context, leg *iceLeg, ufrag, pwd string) {
	start := time.Now()
	var (
		c   *ice.Conn
		err error
	)
	if leg.controlling {
		c, err = leg.agent.Dial(ctx, ufrag, pwd)
	} else {
		c, err = leg.agent.Accept(ctx, ufrag, pwd)
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("ICE connectivity checks failed", "err", err)
		}
		return
	}
	s.mu.Lock()
	if s.closed || s.nat.cur != leg {
		s.mu.Unlock()
		return
	}
	s.nat.conn.Store(c)
	s.mu.Unlock()
	if p, err := leg.agent.GetSelectedCandidatePair(); err == nil && p != nil {
		s.setPath(leg, p.Local, p.Remote)
	}
	s.log.Info("ICE connected", "pair", s.nat.snapshot().String(), "took", time.Since(start).Round(time.Millisecond))
	go s.iceReadLoop(c)
}

// setPath records the selected pair for Stats.
func (s *Session) setPath(leg *iceLeg, l, r ice.Candidate) {
	if l == nil || r == nil {
		return
	}
	p := &ICEPath{
		LocalType: l.Type().String(), RemoteType: r.Type().String(),
		Local:  l.Address() + ":" + strconv.Itoa(l.Port()),
		Remote: r.Address() + ":" + strconv.Itoa(r.Port()),
	}
	if rc, ok := l.(*ice.CandidateRelay); ok {
		p.RelayProtocol = rc.RelayProtocol()
	}
	switch l.Type() {
	case ice.CandidateTypeHost:
		if sr, ok := leg.reflexiveFor(l, r); ok {
			p.Base, p.LocalType, p.Local = p.Local, sdp.CandSrflx, sr
		}
	case ice.CandidateTypeServerReflexive:
		if ra := l.RelatedAddress(); ra != nil {
			p.Base = ra.Address + ":" + strconv.Itoa(ra.Port)
			if p.Base == p.Local { // no translation on the way: it is the host address
				p.LocalType, p.Base = sdp.CandHost, ""
			}
		}
	}
	s.nat.path.Store(p)
}

// reflexiveFor names the local candidate of a pair the way RFC 8445 section 7.2.5.3.2 does: the
// candidate whose address is the mapped address the peer saw. Across a NAT that is our
// server-reflexive candidate, though the packets leave from its base, the host candidate pion
// reports. pion does not hand out the mapped address, so: a srflx candidate with this host as
// base, and a peer that is not on the host's own network (the packets crossed a router, whose
// mapping is the one STUN saw).
func (l *iceLeg) reflexiveFor(host, remote ice.Candidate) (string, bool) {
	hostIP, err1 := netip.ParseAddr(host.Address())
	remoteIP, err2 := netip.ParseAddr(remote.Address())
	if err1 != nil || err2 != nil || onLink(hostIP, remoteIP) {
		return "", false
	}
	for _, c := range l.local.Candidates {
		if c.Type == sdp.CandSrflx && c.RelAddr == host.Address() && c.RelPort == host.Port() &&
			(c.Addr != host.Address() || c.Port != host.Port()) {
			return c.Addr + ":" + strconv.Itoa(c.Port), true
		}
	}
	return "", false
}

// onLink reports whether peer is on the network of the interface that has local.
func onLink(local, peer netip.Addr) bool {
	if local.IsLoopback() || local == peer {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return true // unknown: claim nothing
	}
	for _, a := range addrs {
		n, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap() == local {
			return n.Contains(net.IP(peer.AsSlice()))
		}
	}
	return true
}

func (n *natState) snapshot() ICEPath {
	if p := n.path.Load(); p != nil {
		return *p
	}
	return ICEPath{}
}

// iceReadLoop feeds what arrives over one ICE conn to the session, from when Run starts until
// the conn closes (Close, or a restart moved media to a new leg). STUN never gets here (the
// agent consumes it); the rest is told apart by its first byte (RFC 7983): 20..63 is DTLS,
// 128..191 is RTP or RTCP, and RTCP has a packet type of 192..223 in the second byte (RFC 5761
// section 4).
func (s *Session) iceReadLoop(c *ice.Conn) {
	select {
	case <-s.nat.runStarted:
	case <-s.nat.done:
		return
	}
	buf := make([]byte, 1500)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		s.iceReceive(buf[:n])
	}
}

// iceReceive handles one datagram from an ICE conn. The receiver state is shared by the readers
// of all legs (during a restart two run at once): the stream does not restart with the path.
func (s *Session) iceReceive(pkt []byte) {
	switch b := pkt[0]; {
	case b >= 20 && b <= 63:
		if f := s.nat.onDTLS.Load(); f != nil {
			(*f)(pkt)
		}
	case b >= 128 && b <= 191:
		s.nat.rxMu.Lock()
		if len(pkt) >= 2 && pkt[1] >= 192 && pkt[1] <= 223 {
			s.receiveRTCP(s.nat.dec[:0], pkt, time.Now())
		} else {
			s.receiveRTP(&s.nat.rx, pkt, time.Now())
		}
		s.nat.rxMu.Unlock()
	default:
		s.countDropped()
	}
}

// setDTLSHandler installs the hook that gets DTLS records arriving over ICE (helper "dtls"
// fills it). The slice is only valid during the call: copy what you keep.
func (s *Session) setDTLSHandler(f func(pkt []byte)) {
	if f == nil {
		s.nat.onDTLS.Store(nil)
		return
	}
	s.nat.onDTLS.Store(&f)
}

// iceRun is called by Run before its goroutines start: it reports whether media uses ICE (then
// the plain RTP socket belongs to the ICE mux and Run must not read it) and lets ICE readers go.
func (s *Session) iceRun() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nat.runStarted != nil {
		select {
		case <-s.nat.runStarted:
		default:
			close(s.nat.runStarted)
		}
	}
	return s.nat.inUse.Load()
}

// restartICE makes the next Offer restart ICE (RFC 8445 section 9): new credentials, candidates
// gathered anew on the session's current socket, checks run again, and media moves to the new
// pair when they succeed; the re-INVITE carries the offer. A new local address (Relocate) is
// noticed by the next Offer or Answer without this call; call it when the path changed under
// the same address (a NAT or router restart, a VPN coming up).
func (s *Session) restartICE() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restartICELocked()
}

func (s *Session) restartICELocked() {
	if s.cfg.NAT.ICE && s.nat.cur != nil {
		s.nat.restart = true
		s.nat.next.close()
		s.nat.next = nil
	}
}

// closeICELocked ends every ICE leg; Close calls it before closing the sockets.
func (s *Session) closeICELocked() {
	for _, l := range []*iceLeg{s.nat.cur, s.nat.next} {
		l.close()
	}
	s.nat.cur, s.nat.next = nil, nil
	s.dropMuxLocked()
	s.nat.conn.Store(nil)
	if s.nat.done != nil {
		select {
		case <-s.nat.done:
		default:
			close(s.nat.done)
		}
	}
}
