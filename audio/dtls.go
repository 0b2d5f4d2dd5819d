package audio

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/dtls/v3"
	"github.com/pion/dtls/v3/pkg/crypto/selfsign"

	"softphone/audio/sdp"
)

// DTLS-SRTP (RFC 5763/5764) beside SDES. The handshake runs on the media flow itself; the keys it
// exports become the call's SRTP contexts. Until they exist the negotiated media state is not
// published, so the session sends nothing at all — never plain RTP.

// DefaultDTLSTimeout bounds a DTLS-SRTP handshake (pion retransmits flights after 1 s, 2 s, …).
const DefaultDTLSTimeout = 10 * time.Second

// errFingerprint is what the certificate check returns; DTLSError classifies it.
var errFingerprint = errors.New("certificate does not match the SDP fingerprint")

// dtlsTransport is a session's DTLS-SRTP state. The identity and the record conns are made once in
// NewSession and never change; the rest is guarded by Session.mu.
type dtlsTransport struct {
	cert tls.Certificate // ECDSA P-256, self-signed, in memory only
	fp   sdp.Fingerprint
	rtp  *dtlsPacketConn // the RTP component (and RTCP when multiplexed)
	rtcp *dtlsPacketConn // the RTCP component on its own port (RFC 5764 section 4.1.1)

	// Guarded by Session.mu.
	pending *mediaState   // negotiated, waiting for the handshake's keys
	kick    chan struct{} // cap 1: a pending state appeared
	conns   []*dtls.Conn  // open associations, closed by Close
	remote  [2]netip.AddrPort

	failed atomic.Pointer[DTLSError] // the handshake's failure; written by runDTLS, read by DTLSFailure
}

// initDTLS prepares DTLS-SRTP when the key exchange allows it: a fresh certificate per session.
func (s *Session) initDTLS() error {
	if !s.cfg.KeyExchange.DTLS() {
		return nil
	}
	cert, err := selfsign.GenerateSelfSigned()
	if err != nil {
		return fmt.Errorf("DTLS certificate: %w", err)
	}
	t := &dtlsTransport{cert: cert, fp: sdp.FingerprintOf(cert.Certificate[0]), kick: make(chan struct{}, 1)}
	t.rtp = newDTLSPacketConn(s.rtpConn.LocalAddr(), func(b []byte) error { return s.sendDTLS(0, b) })
	t.rtcp = newDTLSPacketConn(s.rtcpConn.LocalAddr(), func(b []byte) error { return s.sendDTLS(1, b) })
	s.dtls = t
	s.setDTLSHandler(t.rtp.deliver) // records arriving over ICE (ice_rx.go demultiplexes them)
	return nil
}

// sendDTLS writes a record of component i (0 RTP, 1 RTCP): over the selected ICE pair when media
// uses ICE (one component, rtcp-mux), else to the address the SDP named.
func (s *Session) sendDTLS(i int, b []byte) error {
	if s.nat.inUse.Load() {
		if err := s.sendICE(b); err != nil && !errors.Is(err, errICEChecking) {
			return err
		}
		return nil // before a pair is selected the record is lost, as on the wire; DTLS resends
	}
	s.mu.Lock()
	to := s.dtls.remote[i]
	s.mu.Unlock()
	if i == 0 {
		return s.writeRTPOther(b, to) // the socket may be out of the netpoller (rtpdetach_linux.go)
	}
	_, err := s.rtcpConn.WriteToUDPAddrPort(b, to)
	return err
}

// dtlsRecord hands a DTLS record that arrived on the RTP (rtcp false) or RTCP socket to its
// association. It reports false for anything else (RFC 7983: DTLS is 20..63, RTP/RTCP 128..191).
func (s *Session) dtlsRecord(pkt []byte, rtcp bool) bool {
	if len(pkt) == 0 || pkt[0] < 20 || pkt[0] > 63 || s.dtls == nil {
		return false
	}
	if rtcp {
		s.dtls.rtcp.deliver(pkt)
	} else {
		s.dtls.rtp.deliver(pkt)
	}
	return true
}

// dtlsFingerprint is our certificate's fingerprint for the SDP (zero without DTLS).
func (s *Session) dtlsFingerprint() sdp.Fingerprint {
	if s.dtls == nil {
		return sdp.Fingerprint{}
	}
	return s.dtls.fp
}

// dtlsRoleLocked is our role on the running association, SetupNone before one is keyed.
func (s *Session) dtlsRoleLocked() sdp.Setup {
	if m := s.media.Load(); m != nil && m.res.DTLS != nil {
		return m.res.DTLS.Role
	}
	return sdp.SetupNone
}

// applyDTLSLocked handles a negotiated DTLS-SRTP stream. It reports true when m can be published
// now (a re-negotiation on the same association keeps its keys); otherwise m waits for the
// handshake, which publishes it.
func (s *Session) applyDTLSLocked(m, old *mediaState) (bool, error) {
	if s.dtls == nil {
		return false, fmt.Errorf("%w: DTLS-SRTP negotiated without a certificate", ErrBadConfig)
	}
	if old != nil && old.res.DTLS != nil {
		if !sameFingerprints(old.res.DTLS.Remote, m.res.DTLS.Remote) {
			// RFC 5763 section 6.7.1: a new certificate needs a new association.
			return false, fmt.Errorf("%w: the far end changed its DTLS certificate mid-call", ErrIncompatible)
		}
		m.crypto = old.crypto
		m.res.DTLS.Role = old.res.DTLS.Role
		s.dtls.remote = [2]netip.AddrPort{m.remote, m.remoteRTCP} // the far end may have moved
		return true, nil
	}
	s.dtls.pending = m
	s.dtls.remote = [2]netip.AddrPort{m.remote, m.remoteRTCP}
	select {
	case s.dtls.kick <- struct{}{}:
	default:
	}
	return false, nil
}

func sameFingerprints(a, b []sdp.Fingerprint) bool {
	for _, x := range a {
		for _, y := range b {
			if x.Hash == y.Hash && string(x.Value) == string(y.Value) {
				return true
			}
		}
	}
	return false
}

// runDTLS runs the handshake when a DTLS-SRTP negotiation is pending and publishes its media
// state with the exported keys. It returns a *DTLSError when the handshake fails, nil when ctx
// ends. Run owns it.
func (s *Session) runDTLS(ctx context.Context) error {
	if s.dtls == nil {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.dtls.kick:
		}
		s.mu.Lock()
		m := s.dtls.pending
		s.mu.Unlock()
		if m == nil {
			continue
		}
		crypto, err := s.handshake(ctx, m.res.DTLS)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.dtls.failed.CompareAndSwap(nil, err)
			return err
		}
		s.mu.Lock()
		m = s.dtls.pending // a re-negotiation while we shook hands replaced it: same association
		s.dtls.pending = nil
		m.crypto = crypto
		if !s.closed {
			s.media.Store(m)
		}
		s.mu.Unlock()
		s.log.Info("media secured", "key_exchange", "DTLS", "srtp", crypto.keys.Suite, "role", m.res.DTLS.Role.String())
		if s.cfg.OnSecured != nil {
			s.cfg.OnSecured()
		}
	}
}

// handshake runs one association per component, bounded by the DTLS timeout, and derives the
// SRTP contexts from what they export.
func (s *Session) handshake(ctx context.Context, p *sdp.DTLSParams) (*cryptoContexts, *DTLSError) {
	timeout := s.cfg.DTLSTimeout
	if timeout <= 0 {
		timeout = DefaultDTLSTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	comps := []*dtlsPacketConn{s.dtls.rtp, s.dtls.rtcp}
	if s.nat.inUse.Load() {
		// With ICE, RTP and RTCP share one component and one association (RFC 5764 section
		// 4.1.1, RFC 5761), and DTLS starts once the checks selected a pair.
		comps = comps[:1]
		if err := s.awaitICEPair(ctx); err != nil {
			return nil, &DTLSError{Problem: DTLSTimeout, Err: err}
		}
	}
	conns := make([]*dtls.Conn, len(comps))
	errs := make([]error, len(comps))
	var wg sync.WaitGroup
	hsCtx, stop := context.WithCancel(ctx)
	defer stop()
	for i, c := range comps {
		wg.Go(func() {
			if conns[i], errs[i] = s.associate(hsCtx, c, i, p); errs[i] != nil {
				stop() // one failed association fails the call: do not wait for the other
			}
		})
	}
	punched := make(chan struct{})
	if p.Role == sdp.SetupPassive && !s.nat.inUse.Load() {
		go func() { defer close(punched); s.punch(hsCtx, len(comps)) }()
	} else {
		close(punched)
	}
	wg.Wait()
	stop()
	<-punched
	s.mu.Lock()
	for _, c := range conns {
		if c != nil {
			s.dtls.conns = append(s.dtls.conns, c)
		}
	}
	s.mu.Unlock()
	if err := firstError(errs); err != nil {
		return nil, classifyDTLS(ctx, err)
	}
	return exportKeys(conns, p.Role == sdp.SetupActive)
}

// exportKeys derives the call's SRTP contexts from the finished associations: SRTP from the
// first, SRTCP from the second (or the first when RTP and RTCP share it).
func exportKeys(conns []*dtls.Conn, client bool) (*cryptoContexts, *DTLSError) {
	var keys [2]sdp.SRTPKeys
	for i, c := range conns {
		prof, ok := c.SelectedSRTPProtectionProfile()
		suite := suiteOfProfile(prof)
		if !ok || suite == "" {
			return nil, &DTLSError{Problem: DTLSNoProfile}
		}
		st, ok := c.ConnectionState()
		if !ok {
			return nil, &DTLSError{Err: errors.New("no connection state")}
		}
		var err error
		if keys[i], err = dtlsKeys(suite, &st, client); err != nil {
			return nil, &DTLSError{Err: err}
		}
	}
	if len(conns) == 1 {
		keys[1] = keys[0]
	}
	if keys[0].Suite != keys[1].Suite {
		return nil, &DTLSError{Problem: DTLSNoProfile, Err: errors.New("RTP and RTCP chose different profiles")}
	}
	c, err := newCryptoContextsRTCP(keys[0], keys[1])
	if err != nil {
		return nil, &DTLSError{Err: err}
	}
	return c, nil
}

// punchInterval paces the empty datagrams of a passive endpoint (punch).
const punchInterval = 500 * time.Millisecond

// punch sends empty UDP datagrams to each component's far end until ctx ends. A passive DTLS
// endpoint sends nothing of its own until the ClientHello arrives, and behind a NAT (without ICE)
// that ClientHello finds no mapping to come in through; a zero-length datagram (RFC 6263 section
// 4.1) opens it and is ignored by the far end. It is not RTP: no media leaves before the keys.
func (s *Session) punch(ctx context.Context, comps int) {
	t := time.NewTicker(punchInterval)
	defer t.Stop()
	for {
		for i := range comps {
			_ = s.sendDTLS(i, nil)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// awaitICEPair waits until ICE has selected a candidate pair (the ICE agent has no channel for it).
func (s *Session) awaitICEPair(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for s.nat.conn.Load() == nil {
		select {
		case <-ctx.Done():
			return errors.New("ICE selected no candidate pair")
		case <-t.C:
		}
	}
	return nil
}

// associate runs one handshake on c in our role, checking the peer's certificate against the
// SDP's fingerprints.
func (s *Session) associate(ctx context.Context, c *dtlsPacketConn, comp int, p *sdp.DTLSParams) (*dtls.Conn, error) {
	cfg := &dtls.Config{
		Certificates:           []tls.Certificate{s.dtls.cert},
		SRTPProtectionProfiles: dtlsProfiles(s.cfg.Suites),
		ExtendedMasterSecret:   dtls.RequireExtendedMasterSecret,
		// The certificate is self-signed: it is authenticated by its fingerprint in the SDP,
		// which arrived over SIP-TLS (RFC 5763 section 5).
		InsecureSkipVerify: true,
		ClientAuth:         dtls.RequireAnyClientCert,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			err := checkFingerprint(raw, p.Remote)
			if err != nil {
				// Recorded before the alert goes out: the far end's hangup that follows it
				// must not hide the cause (DTLSFailure).
				s.dtls.failed.CompareAndSwap(nil, &DTLSError{Problem: DTLSFingerprintMismatch, Err: err})
			}
			return err
		},
	}
	var conn *dtls.Conn
	var err error
	s.mu.Lock()
	raddr := net.UDPAddrFromAddrPort(s.dtls.remote[comp])
	s.mu.Unlock()
	if p.Role == sdp.SetupActive {
		conn, err = dtls.Client(c, raddr, cfg)
	} else {
		conn, err = dtls.Server(c, raddr, cfg)
	}
	if err != nil {
		return nil, err
	}
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return conn, nil
}

// checkFingerprint accepts the peer's leaf certificate if one of the SDP's fingerprints matches.
func checkFingerprint(raw [][]byte, fps []sdp.Fingerprint) error {
	if len(raw) == 0 {
		return fmt.Errorf("%w: no certificate", errFingerprint)
	}
	for _, f := range fps {
		if ok, err := f.Matches(raw[0]); err == nil && ok {
			return nil
		}
	}
	return errFingerprint
}

// firstError is the most telling of the components' errors: a fingerprint mismatch, else the
// first that is not the cancellation one failure caused in the other association.
func firstError(errs []error) error {
	var first, cancelled error
	for _, err := range errs {
		switch {
		case err == nil:
		case errors.Is(err, errFingerprint):
			return err
		case errors.Is(err, context.Canceled):
			cancelled = err
		case first == nil:
			first = err
		}
	}
	if first != nil {
		return first
	}
	return cancelled
}

// classifyDTLS wraps a handshake error in a DTLSError with its cause.
func classifyDTLS(ctx context.Context, err error) *DTLSError {
	switch {
	case errors.Is(err, errFingerprint):
		return &DTLSError{Problem: DTLSFingerprintMismatch, Err: err}
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		return &DTLSError{Problem: DTLSTimeout, Err: err}
	case strings.Contains(err.Error(), "SRTP"): // pion's use_srtp errors are not exported

		return &DTLSError{Problem: DTLSNoProfile, Err: err}
	}
	return &DTLSError{Problem: DTLSFailed, Err: err}
}

// dtlsProfiles maps our SRTP suites (preference order) to use_srtp profiles (RFC 5764, RFC 7714).
func dtlsProfiles(suites []string) []dtls.SRTPProtectionProfile {
	var out []dtls.SRTPProtectionProfile
	for _, su := range suites {
		switch su {
		case SuiteAEADAES128GCM:
			out = append(out, dtls.SRTP_AEAD_AES_128_GCM)
		case SuiteAESCM128HMACSHA180:
			out = append(out, dtls.SRTP_AES128_CM_HMAC_SHA1_80)
		}
	}
	return out
}

func suiteOfProfile(p dtls.SRTPProtectionProfile) string {
	switch p {
	case dtls.SRTP_AEAD_AES_128_GCM:
		return SuiteAEADAES128GCM
	case dtls.SRTP_AES128_CM_HMAC_SHA1_80:
		return SuiteAESCM128HMACSHA180
	}
	return ""
}

// closeDTLS ends the associations (close_notify) and the record conns; Close calls it before the
// sockets close.
func (s *Session) closeDTLS() error {
	if s.dtls == nil {
		return nil
	}
	s.mu.Lock()
	conns := s.dtls.conns
	s.dtls.conns = nil
	s.mu.Unlock()
	var errs []error
	for _, c := range conns {
		errs = append(errs, c.Close())
	}
	_ = s.dtls.rtp.Close()
	_ = s.dtls.rtcp.Close()
	return errors.Join(errs...)
}
