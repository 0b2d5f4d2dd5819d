package audio

import (
	"context"
	"strconv"
	"time"

	"github.com/pion/ice/v4"
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
	prev := s.nat.prev
	s.nat.prev = nil
	s.nat.conn.Store(c)
	s.mu.Unlock()
	prev.close()
	if p, err := leg.agent.GetSelectedCandidatePair(); err == nil && p != nil {
		s.setPath(p.Local, p.Remote)
	}
	s.log.Info("ICE connected", "pair", s.nat.snapshot().String(), "took", time.Since(start).Round(time.Millisecond))
	go s.iceReadLoop(c)
}

// setPath records the selected pair for Stats.
func (s *Session) setPath(l, r ice.Candidate) {
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
	s.nat.path.Store(p)
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
	dec := make([]byte, 0, 1500)
	var r rtpReceiver
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		pkt := buf[:n]
		switch b := pkt[0]; {
		case b >= 20 && b <= 63:
			if f := s.nat.onDTLS.Load(); f != nil {
				(*f)(pkt)
			}
		case b >= 128 && b <= 191:
			if n >= 2 && pkt[1] >= 192 && pkt[1] <= 223 {
				s.receiveRTCP(dec, pkt, time.Now())
			} else {
				s.receiveRTP(&r, pkt, time.Now())
			}
		default:
			s.countDropped()
		}
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
// pair when they succeed. Relocate (network change) must call it; the re-INVITE carries the offer.
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
	for _, l := range []*iceLeg{s.nat.cur, s.nat.next, s.nat.prev} {
		l.close()
	}
	s.nat.cur, s.nat.next, s.nat.prev = nil, nil, nil
	s.nat.conn.Store(nil)
	if s.nat.done != nil {
		select {
		case <-s.nat.done:
		default:
			close(s.nat.done)
		}
	}
}
