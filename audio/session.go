package audio

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"softphone/audio/codec"
	"softphone/audio/jitter"
	"softphone/audio/sdp"
)

// mediaState is one negotiated configuration of the stream. It is immutable once published
// through Session.media; a re-INVITE publishes a new one.
type mediaState struct {
	res        sdp.Result
	send       *encoder // used by tx only
	sendPT     uint8
	recv       map[uint8]*decoder // used by playout only
	clock      int                // RTP clock of what we receive (jitter buffer, RFC 3550 jitter)
	dtmfSendPT int
	dtmfRecvPT [2]int // ours and theirs; -1 = none
	remote     netip.AddrPort
	remoteRTCP netip.AddrPort
	dir        sdp.Direction
	crypto     *cryptoContexts // nil = plain RTP
	ptime      int
}

func (m *mediaState) isDTMF(pt uint8) bool {
	return int(pt) == m.dtmfRecvPT[0] || int(pt) == m.dtmfRecvPT[1]
}

// Session is the media of one call. Create it with NewSession, negotiate with Offer/Answer/
// SetAnswer, then Run it until the call ends; Close releases the sockets.
type Session struct {
	cfg      Config
	log      *slog.Logger
	rtpConn  *net.UDPConn
	rtcpConn *net.UDPConn
	rtpOut   *udpSender              // raw sends on rtpConn, set by Run (udpraw_linux.go); nil: through rtpConn
	rtpRaw   atomic.Pointer[rawSock] // rtpConn's socket taken out of the netpoller by Run (rtpdetach_linux.go)
	port     int
	ssrc     uint32
	cname    string
	dtls     *dtlsTransport // nil without DTLS-SRTP; set in NewSession (dtls.go)
	nat      natState       // ICE (ice.go)

	// media is written under mu by the negotiation methods and read lock-free by the media goroutines.
	media atomic.Pointer[mediaState]
	muted atomic.Bool // written by SetMute, read by tx
	held  atomic.Bool // written by SetHold, read by tx: on hold we send no audio at all

	codecChanges atomic.Uint64 // codec switches by re-negotiation (applyLocked)
	fecRecovered atomic.Uint64 // lost frames rebuilt from in-band FEC (playout)
	far          []int16       // the frame last played: written by playout, read by tx (same goroutine)

	mu        sync.Mutex // guards the fields below
	keys      []sdp.Crypto
	sessionID uint64
	version   uint64
	offer     *sdp.Session // our outstanding offer, nil when none
	hold      bool
	state     State
	running   bool
	closed    bool
	dtmfQueue []rune // written by SendDTMF, drained by tx

	statsMu    sync.Mutex // guards rx, jb, the counters below and rtt/remote
	rx         rxStats
	jb         *jitter.Buffer
	srtpFail   uint64
	dropped    uint64 // runts, non-RTP and unknown payload types; guarded by statsMu
	rtt        time.Duration
	remote     rtcpRemote
	sent       atomic.Uint64 // packets; written by tx
	sentOctets atomic.Uint64
	latency    latencyMeter // written by the media clock goroutine, read by Stats

	// Set once before the goroutines start, read by tx and RTCP.
	startTime time.Time
	baseTS    uint32
	baseSeq   uint16
}

// rtcpRemote is what the peer's receiver reports say about our stream.
type rtcpRemote struct {
	fraction float64
	lost     int64
	jitterMs float64
}

// NewSession binds the RTP/RTCP UDP ports and prepares SDES keys; nothing is sent until Run.
func NewSession(cfg Config) (*Session, error) {
	if !cfg.LocalIP.IsValid() {
		return nil, fmt.Errorf("%w: LocalIP is required", ErrBadConfig)
	}
	if len(cfg.Suites) == 0 {
		cfg.Suites = []string{SuiteAEADAES128GCM, SuiteAESCM128HMACSHA180}
	}
	if len(cfg.Codecs) == 0 {
		cfg.Codecs = []string{"PCMA", "PCMU"}
	}
	for _, c := range cfg.Codecs {
		if _, err := codec.ByName(c); err != nil {
			return nil, fmt.Errorf("%w: codec %q", ErrBadConfig, c)
		}
	}
	if cfg.PortMin <= 0 || cfg.PortMax <= 0 || cfg.PortMax <= cfg.PortMin {
		cfg.PortMin, cfg.PortMax = 16384, 32766
	}
	if cfg.NAT.ICE {
		if err := cfg.NAT.check(); err != nil {
			return nil, err
		}
	}
	if cfg.RTCPInterval <= 0 {
		cfg.RTCPInterval = 5 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Session{cfg: cfg, log: log.With("component", "audio")}
	for i, suite := range cfg.Suites {
		n := sdp.SuiteKeyLen(suite)
		if n == 0 {
			return nil, fmt.Errorf("%w: crypto suite %q", ErrBadConfig, suite)
		}
		k := make([]byte, n)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		s.keys = append(s.keys, sdp.Crypto{Tag: i + 1, Suite: suite, Key: k})
	}
	var rnd [16]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	s.ssrc = binary.BigEndian.Uint32(rnd[0:])
	s.baseTS = binary.BigEndian.Uint32(rnd[4:])
	s.baseSeq = binary.BigEndian.Uint16(rnd[8:]) & 0x7fff // random (RFC 3550); below 2^15 so no SRTP rollover happens right at the start (libwebrtc does the same)
	s.sessionID = binary.BigEndian.Uint64(rnd[8:]) >> 2
	s.cname = fmt.Sprintf("%x@softphone", rnd[10:16])
	if err := s.bind(); err != nil {
		return nil, err
	}
	if err := s.initDTLS(); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	s.jb = jitter.New(jitter.Config{MinDelay: cfg.JitterMin, MaxDelay: cfg.JitterMax})
	s.log.Debug("media ports bound", "rtp", s.port, "rtcp", s.port+1)
	return s, nil
}

// bind finds an even RTP port with a free RTCP port above it.
func (s *Session) bind() error {
	span := (s.cfg.PortMax - s.cfg.PortMin) / 2
	if span < 1 {
		span = 1
	}
	for range 64 {
		p := s.cfg.PortMin + 2*mrand.IntN(span)
		p &^= 1
		if p+1 > 65535 {
			continue
		}
		rc, cc, err := listenPair(s.bindAddr(), p)
		if err != nil {
			continue
		}
		s.rtpConn, s.rtcpConn, s.port = rc, cc, p
		return nil
	}
	return ErrNoPorts
}

// LocalPort is the bound RTP port (RTCP is LocalPort+1).
func (s *Session) LocalPort() int { return s.port }

// State returns where the session is.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *Session) localLocked() sdp.Local {
	dir := sdp.SendRecv
	if s.hold {
		dir = sdp.SendOnly
	}
	return sdp.Local{
		Addr: s.cfg.LocalIP, Port: s.port, SessionID: s.sessionID, Version: s.version,
		Codecs: s.cfg.Codecs, DTMFPayloadType: s.cfg.DTMFPayloadType, Crypto: s.keys,
		RequireSRTP: s.cfg.RequireSRTP, Direction: dir, Keep: s.keepCodec(),
		KeyExchange: s.cfg.KeyExchange, Fingerprint: s.dtlsFingerprint(), DTLSRole: s.dtlsRoleLocked(),
	}
}

// Offer returns an SDP offer for the current state (initial INVITE or re-INVITE). Keys stay the
// same for the whole call.
func (s *Session) Offer() ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.offerLocked()
}

func (s *Session) offerLocked() ([]byte, error) {
	if s.closed {
		return nil, ErrClosed
	}
	s.version++
	o, err := sdp.BuildOffer(s.localLocked())
	if err != nil {
		return nil, fmt.Errorf("build offer: %w", err)
	}
	if err := s.iceOfferLocked(o); err != nil {
		return nil, err
	}
	s.offer = o
	if s.state == StateIdle {
		s.state = StateOffered
	}
	return o.Marshal(), nil
}

// mapNegotiationError turns sdp errors into the session's sentinel errors.
func (s *Session) mapNegotiationError(err error) error {
	switch {
	case errors.Is(err, sdp.ErrNoCrypto), errors.Is(err, sdp.ErrCryptoMismatch):
		if s.cfg.RequireSRTP {
			return fmt.Errorf("%w: %w", ErrSRTPRequired, err)
		}
		return fmt.Errorf("%w: %w", ErrIncompatible, err)
	case errors.Is(err, sdp.ErrMalformed):
		return err
	default:
		return fmt.Errorf("%w: %w", ErrIncompatible, err)
	}
}

// Answer answers a remote offer (initial INVITE or re-INVITE). With RequireSRTP and no usable
// crypto it returns ErrSRTPRequired: answer 488.
func (s *Session) Answer(offer []byte) ([]byte, error) {
	o, err := sdp.Parse(offer)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	s.version++
	ans, res, err := sdp.BuildAnswer(o, s.localLocked())
	if err != nil {
		return nil, s.mapNegotiationError(err)
	}
	if err := s.applyLocked(res); err != nil {
		return nil, err
	}
	s.iceOfferedLocked(o, ans)
	s.offer = nil
	return ans.Marshal(), nil
}

// SetAnswer applies the remote answer to our last offer. With RequireSRTP and no matching crypto
// it returns ErrSRTPRequired: end the call.
func (s *Session) SetAnswer(answer []byte) error {
	a, err := sdp.Parse(answer)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.offer == nil {
		return ErrNoOffer
	}
	res, err := sdp.ApplyAnswer(s.offer, a, s.localLocked())
	if err != nil {
		return s.mapNegotiationError(err)
	}
	if err := s.applyLocked(res); err != nil {
		return err
	}
	s.iceAnswerLocked(a)
	s.offer = nil
	return nil
}

// SetHold puts the call on hold or resumes it, and returns the re-INVITE offer to send; pass the
// answer to SetAnswer. The hold offer is sendonly (RFC 3264 section 8.4) but we send no audio
// while on hold (there is no music on hold), so the held party hears nothing of the agent.
func (s *Session) SetHold(on bool) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold = on
	s.held.Store(on)
	return s.offerLocked()
}

// applyLocked publishes a negotiated result to the media goroutines.
func (s *Session) applyLocked(res sdp.Result) error {
	m := &mediaState{
		res: res, sendPT: res.Codec.PT,
		dtmfSendPT: res.DTMFSendPT, dtmfRecvPT: [2]int{res.DTMFRecvPT, res.DTMFSendPT},
		remote: res.Remote, remoteRTCP: res.RemoteRTCP, dir: res.Direction, ptime: res.Ptime,
	}
	old := s.media.Load()
	if err := s.buildCodecs(m, old); err != nil {
		return err
	}
	var err error
	if res.SRTP != nil {
		if old != nil && old.crypto.sameKeys(res.SRTP) {
			m.crypto = old.crypto
		} else if m.crypto, err = newCryptoContexts(*res.SRTP); err != nil {
			return err
		}
	} else if s.cfg.RequireSRTP && res.DTLS == nil {
		return ErrSRTPRequired // sdp enforces this too; never fall back silently
	}
	if old == nil || old.packetTime() != m.packetTime() || old.clock != m.clock {
		// The jitter buffer counts in packets: size its frame to the peer's packet time.
		jb := jitter.New(jitter.Config{Frame: m.packetTime(), ClockRate: m.clock,
			MinDelay: s.cfg.JitterMin, MaxDelay: s.cfg.JitterMax})
		s.statsMu.Lock()
		s.jb = jb
		s.statsMu.Unlock()
	}
	if res.DTLS != nil {
		if now, err := s.applyDTLSLocked(m, old); err != nil || !now {
			s.state = StateNegotiated
			return err // published by the handshake (runDTLS), never before it has keys
		}
	}
	s.media.Store(m)
	s.state = StateNegotiated
	s.log.Info("media negotiated", "codec", res.Codec.Name, "rate", m.send.c.SampleRate(), "srtp", s.suiteName(m), "direction", res.Direction.String())
	s.reportCodecChange(old, m)
	return nil
}

func (s *Session) suiteName(m *mediaState) string {
	if m == nil || m.crypto == nil {
		return ""
	}
	return m.crypto.keys.Suite
}

// Negotiated returns the SRTP suite ("" for plain RTP) and codec in use; both "" before negotiation.
func (s *Session) Negotiated() (suite, codecName string) {
	m := s.media.Load()
	if m == nil {
		return "", ""
	}
	return s.suiteName(m), m.send.c.Name()
}

// SetMute sends silence instead of the captured audio while on.
func (s *Session) SetMute(on bool) { s.muted.Store(on) }

// SendDTMF queues digits (0-9 * # A-D) to send as RFC 4733 events; it does not wait for them.
func (s *Session) SendDTMF(digits string) error {
	for _, r := range digits {
		if ev := dtmfEvent(r); ev < 0 || ev > 15 {
			return fmt.Errorf("%w: %q", ErrInvalidDigit, r)
		}
	}
	m := s.media.Load()
	if m == nil {
		return ErrNotNegotiated
	}
	if m.dtmfSendPT < 0 {
		return ErrNoDTMF
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.dtmfQueue = append(s.dtmfQueue, []rune(digits)...)
	return nil
}

// Stats returns a snapshot of the call quality.
func (s *Session) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	jbs := s.jb.Stats()
	st := Stats{
		PacketsSent:        s.sent.Load(),
		BytesSent:          s.sentOctets.Load(),
		PacketsReceived:    s.rx.received,
		BytesReceived:      s.rx.octets,
		PacketsLost:        s.rx.lost(),
		LossFraction:       s.rx.lossFraction(),
		JitterMs:           s.rx.jitter * 1000 / float64(s.recvClock()),
		RTTMs:              float64(s.rtt) / float64(time.Millisecond),
		RemoteLossFraction: s.remote.fraction,
		RemotePacketsLost:  s.remote.lost,
		RemoteJitterMs:     s.remote.jitterMs,
		PlayoutDelayMs:     float64(jbs.Target) / float64(time.Millisecond),
		Concealed:          jbs.Concealed,
		Late:               jbs.Late,
		Duplicates:         jbs.Duplicates,
		SRTPFailures:       s.srtpFail,
		FECRecovered:       s.fecRecovered.Load(),
		CodecChanges:       s.codecChanges.Load(),
		Dropped:            s.dropped,
		Latency:            s.latency.snapshot(),
		ICE:                s.nat.snapshot(),
	}
	st.Latency.SendProcessing, st.Latency.ReceiveProcessing = s.processingLatency()
	if s.rx.received > 0 {
		// Mouth-to-ear: half the RTT (or a LAN guess), playout delay, one packet of packetisation.
		oneWay := s.rtt/2 + jbs.Target + FrameTime
		st.MOS = MOS(oneWay, st.LossFraction)
	}
	return st
}

// Close releases the sockets; a running Run returns. Close is idempotent.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.state = StateClosed
	s.closeICELocked()
	s.mu.Unlock()
	return errors.Join(s.closeDTLS(), s.closeRTP(), s.rtcpConn.Close())
}
