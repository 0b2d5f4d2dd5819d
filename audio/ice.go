package audio

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"

	"softphone/audio/sdp"
)

// ICE in the media path (RFC 8445), vanilla style as baresip does it: gather first (bounded),
// then offer or answer with the complete candidate list, then run connectivity checks. The
// offerer is controlling. RTP and RTCP share one component (rtcp-mux, RFC 5761); a peer that
// does not do ICE, or does it without rtcp-mux, gets today's plain path on the session's
// sockets. Each ICE "leg" is one pion agent; an ICE restart (RFC 8445 section 9) makes a new leg
// with new credentials; the old leg ends when the new one starts its checks, and media moves to
// the new one once they succeed.

// errICEChecking is returned by the send seam while ICE has not selected a pair yet.
var errICEChecking = errors.New("audio: ICE connectivity checks not complete")

// natState is the session's ICE state. cur, next and restart are guarded by Session.mu.
type natState struct {
	cur     *iceLeg                     // the negotiated leg media uses (checking or connected)
	next    *iceLeg                     // a leg gathered for our restart offer, not answered yet
	mux     *ice.UniversalUDPMuxDefault // on the RTP socket, shared by the legs
	pc      *muxConn
	restart bool // the next offer restarts ICE (network change)

	inUse      atomic.Bool                  // media goes through ICE, not the plain sockets
	conn       atomic.Pointer[ice.Conn]     // the connected leg's conn; nil while checking
	path       atomic.Pointer[ICEPath]      // the selected pair, for Stats
	onDTLS     atomic.Pointer[func([]byte)] // DTLS records from the ICE path (RFC 7983); nil = drop
	runStarted chan struct{}                // closed by Run: readers may feed the session
	done       chan struct{}                // closed by Close: readers waiting for Run give up

	rxMu sync.Mutex  // serialises the ICE readers of all legs (ice_rx.go)
	rx   rtpReceiver // guarded by rxMu
	dec  [1500]byte  // RTCP decryption scratch; guarded by rxMu
}

// iceLeg is one ICE agent with its credentials and candidates.
type iceLeg struct {
	agent       *ice.Agent
	local       sdp.ICE
	localIP     netip.Addr // Config.LocalIP when gathered; a different one now means Relocate ran
	controlling bool
	remoteUfrag string
	remotePwd   string
	started     bool
	cancel      context.CancelFunc
}

// newLegLocked makes an agent on the session's RTP socket and gathers its candidates.
func (s *Session) newLegLocked(controlling bool) (*iceLeg, error) {
	urls, err := s.cfg.NAT.urls()
	if err != nil {
		return nil, err
	}
	mux := s.muxLocked()
	agent, err := ice.NewAgentWithOptions(
		ice.WithUrls(urls),
		ice.WithNetworkTypes([]ice.NetworkType{ice.NetworkTypeUDP4, ice.NetworkTypeUDP6}),
		ice.WithCandidateTypes(s.cfg.NAT.candidateTypes()),
		ice.WithUDPMux(mux),
		ice.WithUDPMuxSrflx(mux),
		ice.WithIncludeLoopback(),
		ice.WithMulticastDNSMode(ice.MulticastDNSModeDisabled),
		ice.WithSTUNGatherTimeout(s.cfg.NAT.gatherTimeout()),
		ice.WithDisableActiveTCP(),
		// pion waits 2 s before accepting a relayed pair in case a direct one succeeds; that is
		// 2 s of silence at call start on a restrictive network. With only relays there is
		// nothing to wait for.
		ice.WithRelayAcceptanceMinWait(s.cfg.NAT.relayAcceptWait()),
	)
	if err != nil {
		return nil, fmt.Errorf("ice agent: %w", err)
	}
	if s.nat.done == nil {
		s.nat.done, s.nat.runStarted = make(chan struct{}), make(chan struct{})
	}
	leg := &iceLeg{agent: agent, controlling: controlling}
	if err := s.gather(leg); err != nil {
		leg.close()
		return nil, err
	}
	return leg, nil
}

// gather collects candidates: until gathering completes or GatherTimeout, and when TURN is
// configured and no relay candidate came yet, up to RelayTimeout more for the first one.
func (s *Session) gather(leg *iceLeg) error {
	done := make(chan struct{})
	relay := make(chan struct{})
	var once, relayOnce sync.Once
	if err := leg.agent.OnCandidate(func(c ice.Candidate) {
		if c == nil {
			once.Do(func() { close(done) })
			return
		}
		if c.Type() == ice.CandidateTypeRelay {
			relayOnce.Do(func() { close(relay) })
		}
	}); err != nil {
		return err
	}
	start := time.Now()
	if err := leg.agent.GatherCandidates(); err != nil {
		return fmt.Errorf("ice gather: %w", err)
	}
	t := time.NewTimer(s.cfg.NAT.gatherTimeout())
	select {
	case <-done:
	case <-t.C:
		if s.cfg.NAT.hasTURN() {
			select {
			case <-relay:
			case <-done:
			case <-time.After(s.cfg.NAT.relayTimeout()):
			}
		}
	}
	t.Stop()
	ufrag, pwd, err := leg.agent.GetLocalUserCredentials()
	if err != nil {
		return err
	}
	cands, err := leg.agent.GetLocalCandidates()
	if err != nil {
		return err
	}
	leg.local, leg.localIP = sdp.ICE{Ufrag: ufrag, Pwd: pwd}, s.cfg.LocalIP
	for _, c := range cands {
		sc, err := sdp.ParseCandidate(c.Marshal())
		if err != nil {
			continue
		}
		if ap, ok := sc.AddrPort(); ok && sc.Type == sdp.CandHost && ap.Addr() != s.cfg.LocalIP {
			// A socket on the unspecified address (Config.Relocatable) is reachable on every
			// interface; announce only the one the call uses, not VPN or other addresses.
			continue
		}
		leg.local.Candidates = append(leg.local.Candidates, sc)
	}
	if len(leg.local.Candidates) == 0 {
		return errors.New("ice: no candidates gathered")
	}
	s.log.Debug("ice candidates gathered", "count", len(leg.local.Candidates), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// moved reports whether the session's address changed since the leg gathered (Relocate): the
// next offer or answer restarts ICE with candidates for the new address.
func (l *iceLeg) moved(local netip.Addr) bool { return l.localIP != local }

// close ends the leg and gives the RTP socket back.
func (l *iceLeg) close() {
	if l == nil {
		return
	}
	if l.cancel != nil {
		l.cancel()
	}
	_ = l.agent.Close()
}

// muxLocked returns the UDP mux on the session's RTP socket, shared by the legs (a restart's new
// agent gathers on it while the old one still carries media; the old one ends when the new one
// starts its checks). It is made anew when the socket or the
// session's address changed (Relocate): the mux announces the address the call uses, not the
// unspecified one a relocatable socket is bound to. Legs on the old mux end then; their path
// went with the old address.
func (s *Session) muxLocked() *ice.UniversalUDPMuxDefault {
	local := netip.AddrPortFrom(s.cfg.LocalIP, uint16(s.port))
	if s.nat.mux != nil && s.nat.pc.c == s.rtpConn && s.nat.pc.local == local {
		return s.nat.mux
	}
	if s.nat.mux != nil {
		for _, l := range []*iceLeg{s.nat.cur, s.nat.next} {
			l.close()
		}
		s.nat.cur, s.nat.next = nil, nil
		s.nat.conn.Store(nil)
	}
	s.dropMuxLocked()
	s.nat.pc = &muxConn{c: s.rtpConn, local: local}
	s.nat.mux = ice.NewUniversalUDPMuxDefault(ice.UniversalUDPMuxParams{UDPConn: s.nat.pc})
	return s.nat.mux
}

// dropMuxLocked closes the mux and gives the RTP socket back to the plain path.
func (s *Session) dropMuxLocked() {
	if s.nat.mux == nil {
		return
	}
	_ = s.nat.mux.Close()
	s.nat.pc.stop()
	s.nat.mux, s.nat.pc = nil, nil
}

// iceAllowedLocked reports whether this offer/answer may use ICE: it is configured, and the
// call is not already running on the plain path (the mux would steal its packets).
func (s *Session) iceAllowedLocked() bool {
	return s.cfg.NAT.ICE && (!s.running || s.nat.inUse.Load())
}

// iceOfferLocked adds our ICE description to an offer: a new leg for the first offer or a
// restart, the current one for other re-offers (hold, resume).
func (s *Session) iceOfferLocked(o *sdp.Session) error {
	if !s.iceAllowedLocked() || len(o.Media) == 0 {
		return nil
	}
	leg := s.nat.next
	switch {
	case leg != nil:
	case s.nat.cur != nil && !s.nat.restart && !s.nat.cur.moved(s.cfg.LocalIP):
		leg = s.nat.cur
	default:
		var err error
		if leg, err = s.newLegLocked(true); err != nil {
			s.log.Warn("ICE unavailable; offering plain RTP", "err", err)
			return nil
		}
		if s.nat.cur == nil {
			s.nat.cur = leg
		} else {
			s.nat.next = leg
		}
		s.nat.restart = false
	}
	sdp.SetICE(&o.Media[0], leg.local)
	sdp.SetDefaultCandidate(&o.Media[0], leg.local, netip.AddrPortFrom(s.cfg.LocalIP, uint16(s.port)))
	return nil
}

// iceAnswerLocked runs after SetAnswer accepted the answer to our offer.
func (s *Session) iceAnswerLocked(answer *sdp.Session) {
	leg := s.nat.next
	if leg == nil {
		leg = s.nat.cur
	}
	if leg == nil {
		return
	}
	m := answer.Audio()
	var rice sdp.ICE
	ok := false
	if m != nil {
		rice, ok = sdp.MediaICE(answer, m)
		ok = ok && m.RTCPMux
	}
	if !ok {
		if s.nat.inUse.Load() {
			// ICE runs already (a re-INVITE answered without it): keep the checked path.
			s.log.Warn("re-INVITE answer has no ICE; keeping the current ICE path")
			return
		}
		s.log.Info("the far end does not do ICE with rtcp-mux; using plain RTP")
		s.nat.cur.close()
		s.nat.next.close()
		s.nat.cur, s.nat.next = nil, nil
		s.dropMuxLocked()
		return
	}
	s.nat.next = nil
	s.startChecksLocked(leg, rice)
}

// iceOfferedLocked prepares ICE for answering offer o: ok is false when we answer without it.
func (s *Session) iceOfferedLocked(o *sdp.Session, ans *sdp.Session) {
	if !s.iceAllowedLocked() {
		return
	}
	om := o.Audio()
	if om == nil {
		return
	}
	rice, ok := sdp.MediaICE(o, om)
	if !ok || !om.RTCPMux {
		if s.nat.inUse.Load() {
			s.log.Warn("re-INVITE offer has no ICE; keeping the current ICE path")
		}
		return
	}
	leg := s.nat.cur
	if leg == nil || leg.remoteUfrag != rice.Ufrag || leg.remotePwd != rice.Pwd || s.nat.restart || leg.moved(s.cfg.LocalIP) {
		// First offer, or the peer restarts ICE (new credentials, RFC 8445 section 9): a new leg.
		nl, err := s.newLegLocked(false)
		if err != nil {
			s.log.Warn("ICE unavailable; answering with plain RTP", "err", err)
			return
		}
		leg, s.nat.restart = nl, false
	}
	if am := ans.Audio(); am != nil {
		sdp.SetICE(am, leg.local)
		sdp.SetDefaultCandidate(am, leg.local, netip.AddrPortFrom(s.cfg.LocalIP, uint16(s.port)))
	}
	s.startChecksLocked(leg, rice)
}

// startChecksLocked gives the leg the peer's credentials and candidates and starts the checks
// in the background; the leg's conn becomes the media path once a pair is selected.
func (s *Session) startChecksLocked(leg *iceLeg, rice sdp.ICE) {
	if leg.started {
		if leg.remoteUfrag == rice.Ufrag && leg.remotePwd == rice.Pwd {
			return // a re-offer/answer without restart
		}
	}
	if old := s.nat.cur; old != nil && old != leg {
		// A restart: the old leg ends before the new one checks. pion's UDP mux routes by the
		// sender's address before the ufrag, so two agents cannot share a far end on one
		// socket; after a network change the old path is gone anyway.
		old.close()
		s.nat.conn.Store(nil)
	}
	for _, c := range rice.Candidates {
		rc, err := ice.UnmarshalCandidate(c.String())
		if err != nil {
			continue
		}
		if err := leg.agent.AddRemoteCandidate(rc); err != nil {
			s.log.Debug("ice remote candidate refused", "err", err)
		}
	}
	leg.remoteUfrag, leg.remotePwd, leg.started = rice.Ufrag, rice.Pwd, true
	s.nat.inUse.Store(true)
	s.nat.cur = leg
	ctx, cancel := context.WithCancel(context.Background())
	leg.cancel = cancel
	_ = leg.agent.OnSelectedCandidatePairChange(func(l, r ice.Candidate) { s.setPath(leg, l, r) })
	s.log.Debug("ICE checks started", "controlling", leg.controlling, "local", len(leg.local.Candidates),
		"remote", len(rice.Candidates), "running", s.running)
	go s.connectLeg(ctx, leg, rice.Ufrag, rice.Pwd)
}
