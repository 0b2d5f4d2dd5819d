package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/srtp/v3"
	"github.com/zaf/g711"
)

// mediaMode is what a demo media stream does with audio.
type mediaMode int

const (
	// modeEcho sends every received packet straight back (extension "echo").
	modeEcho mediaMode = iota
	// modeTone sends a generated signal and discards what it receives.
	modeTone
)

// String names the mode for logs.
func (m mediaMode) String() string {
	switch m {
	case modeEcho:
		return "echo"
	case modeTone:
		return "tone"
	default:
		return fmt.Sprintf("mediaMode(%d)", int(m))
	}
}

// replayWindow is the SRTP replay window (RFC 3711 §3.3.2 asks for ≥ 64).
const replayWindow = 128

// stream is the tests' independent SRTP peer (pion/srtp directly, not the
// audio package): a UDP socket on 127.0.0.1, the negotiated keys, and either
// an echo or a tone sender.
//
// The SIP side (answer, offer, setAnswer) writes the negotiated state under
// mu; the media goroutines started by run read it under mu for every packet.
type stream struct {
	log  *slog.Logger
	conn *net.UDPConn
	mode mediaMode
	tone *toneGen // modeTone only; used by the sender goroutine only

	// onAudio, if set, receives decoded PCM of every received audio packet
	// (tests). Called from the receive goroutine.
	onAudio func(pcm []int16)
	// onEvent, if set, receives RFC 4733 events (tests). Called from the
	// receive goroutine.
	onEvent func(event byte, end bool, ts uint32)

	sessionID uint64
	ssrc      uint32
	seqOff    uint16 // echo: added to the remote sequence number
	tsOff     uint32 // echo: added to the remote timestamp

	mu      sync.Mutex
	version uint64             // SDP o= version; guarded by mu
	offered map[int]cryptoAttr // our offered keys by tag (UAC); guarded by mu
	local   cryptoAttr         // our key in use; guarded by mu
	rx      *srtp.Context      // decrypts the peer's packets; guarded by mu
	rxAttr  cryptoAttr         // the peer's key behind rx; guarded by mu
	tx      *srtp.Context      // encrypts ours; guarded by mu
	remote  netip.AddrPort     // where we send; guarded by mu
	pt      uint8              // negotiated G.711 payload type; guarded by mu
	eventPT int                // negotiated telephone-event payload type, -1 none; guarded by mu
	dtmf    dtmfQueue          // digits to send (modeTone); guarded by mu
	dir     direction          // our direction; guarded by mu
	seq     uint16             // tone sender sequence number; guarded by mu
	ts      uint32             // tone sender timestamp; guarded by mu
	ready   bool               // keys negotiated; guarded by mu

	packetsIn  atomic.Uint64 // authenticated packets received
	packetsOut atomic.Uint64 // packets sent
	authFail   atomic.Uint64 // packets that failed SRTP authentication or replay check
}

// newStream binds a UDP socket on 127.0.0.1 for one call.
func newStream(log *slog.Logger, mode mediaMode, tone *toneGen) (*stream, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("media socket: %w", err)
	}
	return &stream{
		log:       log,
		conn:      conn,
		mode:      mode,
		tone:      tone,
		sessionID: rand.Uint64() >> 2,
		ssrc:      rand.Uint32(),
		seqOff:    uint16(rand.Uint32()),
		tsOff:     rand.Uint32(),
		seq:       uint16(rand.Uint32()),
		eventPT:   -1,
		ts:        rand.Uint32(),
	}, nil
}

// localAddr is the RTP address we advertise.
func (s *stream) localAddr() netip.AddrPort {
	return s.conn.LocalAddr().(*net.UDPAddr).AddrPort()
}

// answer negotiates an offer (initial or re-INVITE) and returns our answer.
// An offer without SRTP or without G.711 is an error (the caller answers 488).
func (s *stream) answer(offer []byte) ([]byte, error) {
	m, err := parseSDP(offer)
	if err != nil {
		return nil, err
	}
	pt, ok := m.codec()
	if !ok {
		return nil, fmt.Errorf("%w: no G.711 codec offered", ErrSDP)
	}
	if m.proto != "RTP/SAVP" && m.proto != "RTP/SAVPF" {
		return nil, fmt.Errorf("%w: %s", ErrNoCrypto, m.proto)
	}
	var theirs cryptoAttr
	found := false
	for _, c := range m.crypto {
		theirs, found = c, true
		break // the offerer's preference comes first
	}
	if !found {
		return nil, ErrNoCrypto
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	local := s.local
	if !s.ready || local.suite.name != theirs.suite.name {
		local = cryptoAttr{suite: theirs.suite, key: newKey(theirs.suite)}
	}
	local.tag = theirs.tag // RFC 4568 §5.1.2: the answer echoes the accepted tag
	if err := s.applyLocked(theirs, local, m.addr, pt, m.dir.answer()); err != nil {
		return nil, err
	}
	s.eventPT = m.eventPT
	s.version++
	return buildSDP(sdpParams{
		sessionID: s.sessionID, version: s.version, addr: s.localAddr(),
		payloads: []uint8{pt}, eventPT: m.eventPT, crypto: []cryptoAttr{local}, dir: s.dir,
	}), nil
}

// offer makes an initial offer with a key for every suite we support.
func (s *stream) offer() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offered = map[int]cryptoAttr{}
	var cs []cryptoAttr
	for i, su := range suites[:2] {
		c := cryptoAttr{tag: i + 1, suite: su, key: newKey(su)}
		s.offered[c.tag] = c
		cs = append(cs, c)
	}
	s.version++
	return buildSDP(sdpParams{
		sessionID: s.sessionID, version: s.version, addr: s.localAddr(),
		payloads: []uint8{ptPCMU, ptPCMA}, eventPT: ptEvent, crypto: cs, dir: dirSendRecv,
	})
}

// setAnswer applies the answer to our offer.
func (s *stream) setAnswer(answer []byte) error {
	m, err := parseSDP(answer)
	if err != nil {
		return err
	}
	pt, ok := m.codec()
	if !ok {
		return fmt.Errorf("%w: answer has no G.711 codec", ErrSDP)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range m.crypto {
		if mine, ok := s.offered[c.tag]; ok && mine.suite.name == c.suite.name {
			s.eventPT = m.eventPT
			return s.applyLocked(c, mine, m.addr, pt, m.dir.answer())
		}
	}
	return ErrNoCrypto
}

// applyLocked installs negotiated keys and parameters. s.mu must be held.
func (s *stream) applyLocked(theirs, local cryptoAttr, remote netip.AddrPort, pt uint8, dir direction) error {
	if !s.ready || !equalKey(s.rxAttr, theirs) {
		rx, err := newContext(theirs, srtp.SRTPReplayProtection(replayWindow))
		if err != nil {
			return err
		}
		s.rx = rx
		s.rxAttr = theirs
	}
	if !s.ready || !equalKey(s.local, local) {
		tx, err := newContext(local)
		if err != nil {
			return err
		}
		s.tx = tx
	}
	s.local = local
	s.remote = remote
	s.pt = pt
	s.dir = dir
	s.ready = true
	return nil
}

func equalKey(a, b cryptoAttr) bool {
	return a.suite.name == b.suite.name && string(a.key) == string(b.key)
}

// newContext makes an SRTP context from an SDES key (master key || salt).
func newContext(c cryptoAttr, opts ...srtp.ContextOption) (*srtp.Context, error) {
	kl, err := c.suite.profile.KeyLen()
	if err != nil {
		return nil, err
	}
	ctx, err := srtp.CreateContext(c.key[:kl], c.key[kl:], c.suite.profile, opts...)
	if err != nil {
		return nil, fmt.Errorf("srtp %s: %w", c.suite.name, err)
	}
	return ctx, nil
}

// run moves media until ctx ends, then closes the socket. It owns the
// receive goroutine (and, for modeTone, the sender loop runs here).
func (s *stream) run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.receive() })
	stop := context.AfterFunc(ctx, func() { s.conn.Close() })
	defer stop()
	if s.mode == modeTone {
		s.sendTones(ctx)
	}
	<-ctx.Done()
	s.conn.Close()
	wg.Wait()
	s.log.Debug("media stopped", "mode", s.mode, "in", s.packetsIn.Load(), "out", s.packetsOut.Load(), "auth_fail", s.authFail.Load())
}

// close releases the socket of a stream that never ran.
func (s *stream) close() { s.conn.Close() }

// receive reads, authenticates and decrypts the peer's packets; in echo mode
// it sends each one straight back under our own SSRC and key.
func (s *stream) receive() {
	buf := make([]byte, 1500)
	var (
		plain []byte
		out   []byte
		hdr   rtp.Header
		pkt   rtp.Packet
		pcm   [frameSamples * 4]int16
	)
	for {
		n, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				s.log.Debug("media read", "error", err)
			}
			return
		}
		if n < 12 || buf[0]>>6 != 2 || (buf[1]&0x7f >= 72 && buf[1]&0x7f <= 76) {
			continue // not RTP, or RTCP (RFC 5761 §4): the demo ignores RTCP
		}
		s.mu.Lock()
		if !s.ready {
			s.mu.Unlock()
			continue
		}
		plain, err = s.rx.DecryptRTP(plain[:0], buf[:n], &hdr)
		if err == nil {
			err = pkt.Unmarshal(plain) // strips padding too
		}
		if err != nil {
			s.mu.Unlock()
			s.authFail.Add(1)
			continue
		}
		s.packetsIn.Add(1)
		// Symmetric RTP (RFC 4961): answer where authenticated packets come from.
		s.remote = from
		payload := pkt.Payload
		if s.mode == modeEcho && s.dir.sends() {
			echo := rtp.Header{
				Version:        2,
				Marker:         hdr.Marker,
				PayloadType:    hdr.PayloadType,
				SequenceNumber: hdr.SequenceNumber + s.seqOff,
				Timestamp:      hdr.Timestamp + s.tsOff,
				SSRC:           s.ssrc,
			}
			out = s.sendLocked(out, &echo, payload)
		}
		pt, evPT := s.pt, s.eventPT
		s.mu.Unlock()
		if s.onEvent != nil && int(hdr.PayloadType) == evPT && len(payload) >= 4 {
			s.onEvent(payload[0], payload[1]&0x80 != 0, hdr.Timestamp)
			continue
		}
		if s.onAudio != nil && hdr.PayloadType == pt && len(payload) <= len(pcm) {
			for i, b := range payload {
				if pt == ptPCMA {
					pcm[i] = g711.DecodeAlawFrame(b)
				} else {
					pcm[i] = g711.DecodeUlawFrame(b)
				}
			}
			s.onAudio(pcm[:len(payload)])
		}
	}
}

// sendLocked encrypts and sends one packet; s.mu must be held.
func (s *stream) sendLocked(dst []byte, h *rtp.Header, payload []byte) []byte {
	pkt, err := h.Marshal()
	if err != nil {
		return dst
	}
	pkt = append(pkt, payload...)
	dst, err = s.tx.EncryptRTP(dst[:0], pkt, nil)
	if err != nil {
		s.log.Debug("srtp encrypt", "error", err)
		return dst
	}
	if _, err := s.conn.WriteToUDPAddrPort(dst, s.remote); err == nil {
		s.packetsOut.Add(1)
	}
	return dst
}

// sendTones sends one 20 ms G.711 frame of s.tone every 20 ms while our
// direction allows sending, until ctx ends.
func (s *stream) sendTones(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	var (
		frame   [frameSamples]int16
		payload [frameSamples]byte
		out     []byte
		first   = true
	)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.tone.read(frame[:])
		s.mu.Lock()
		if !s.ready || !s.dir.sends() {
			s.mu.Unlock()
			continue
		}
		if ev, ok := s.dtmf.next(s.ts); ok && s.eventPT >= 0 {
			h := rtp.Header{Version: 2, Marker: ev.marker, PayloadType: uint8(s.eventPT), SequenceNumber: s.seq, Timestamp: ev.ts, SSRC: s.ssrc}
			out = s.sendLocked(out, &h, ev.payload[:])
			s.seq++
			s.ts += frameSamples
			s.mu.Unlock()
			continue
		}
		for i, v := range frame {
			if s.pt == ptPCMA {
				payload[i] = g711.EncodeAlawFrame(v)
			} else {
				payload[i] = g711.EncodeUlawFrame(v)
			}
		}
		h := rtp.Header{Version: 2, Marker: first, PayloadType: s.pt, SequenceNumber: s.seq, Timestamp: s.ts, SSRC: s.ssrc}
		out = s.sendLocked(out, &h, payload[:])
		s.seq++
		s.ts += frameSamples
		s.mu.Unlock()
		first = false
	}
}
