package sdp

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// DefaultDTMFPayloadType is the dynamic payload type we offer for telephone-event (RFC 4733).
const DefaultDTMFPayloadType = 101

// telephoneEvent is the RFC 4733 encoding name.
const telephoneEvent = "telephone-event"

// formats are the audio formats we can offer, by upper-case encoding name: their payload type
// (RFC 3551 static, or our dynamic choice), RTP clock, channels and format parameters. Opus is
// always "opus/48000/2" whatever is sent (RFC 7587 section 7); we ask for mono wideband and FEC.
var formats = map[string]Codec{
	"PCMU": {PT: 0, Name: "PCMU", Rate: 8000},
	"PCMA": {PT: 8, Name: "PCMA", Rate: 8000},
	"G722": {PT: 9, Name: "G722", Rate: 8000},
	"OPUS": {PT: 111, Name: "opus", Rate: 48000, Channels: 2,
		Fmtp: "useinbandfec=1; maxplaybackrate=16000; sprop-maxcapturerate=16000; stereo=0; sprop-stereo=0"},
}

// wideband are the formats that carry more than the telephone band.
var wideband = map[string]bool{"G722": true, "OPUS": true}

// format returns our format for an encoding name and clock rate as a peer wrote them.
func format(name string, rate int) (Codec, bool) {
	f, ok := formats[strings.ToUpper(name)]
	if !ok || f.Rate != rate {
		return Codec{}, false
	}
	return f, true
}

// IsWideband reports whether an encoding name is a wideband codec (G.722, Opus).
func IsWideband(name string) bool { return wideband[strings.ToUpper(name)] }

// Local describes our side of an offer or answer.
type Local struct {
	Addr      netip.Addr // connection address put into c=
	Port      int        // RTP port; RTCP is Port+1 and announced with a=rtcp
	SessionID uint64
	Version   uint64 // o= version: increment for every new offer/answer of the session
	// Codecs in preference order, by encoding name ("opus", "G722", "PCMA", "PCMU").
	Codecs []string
	// Keep is the codec in use ("" before the first negotiation). A re-offer (hold, resume)
	// lists it first and an answer to a re-offer keeps it when offered, so a call does not
	// change codec because of a re-INVITE.
	Keep string
	// DTMFPayloadType for telephone-event; 0 means DefaultDTMFPayloadType.
	DTMFPayloadType uint8
	// Crypto holds our SDES keys, one per suite in preference order; Tag is set by the caller.
	// Empty means we do not do SRTP.
	Crypto []Crypto
	// RequireSRTP refuses any stream without usable crypto.
	RequireSRTP bool
	Direction   Direction
	Ptime       int // 0 = 20
	// KeyExchange allows SDES, DTLS-SRTP or both (zero: SDES); Fingerprint is our DTLS
	// certificate's and DTLSRole our role on a running association (fingerprint_oa.go).
	KeyExchange KeyExchange
	Fingerprint Fingerprint
	DTLSRole    Setup
}

// SRTPKeys is the negotiated SDES keying: the suite, our sending key and the peer's key.
type SRTPKeys struct {
	Suite     string
	LocalKey  []byte // master key||salt we send with
	RemoteKey []byte // master key||salt the peer sends with
}

// Result is what an offer/answer exchange settled for the audio stream.
type Result struct {
	Remote     netip.AddrPort // where we send RTP
	RemoteRTCP netip.AddrPort // where we send RTCP
	Codec      Codec          // the codec we send (and expect)
	// RecvCodecs are all codecs the peer may send to us, by payload type.
	RecvCodecs []Codec
	// DTMFSendPT is the telephone-event payload type to send with; -1 when the peer has none.
	DTMFSendPT int
	// DTMFRecvPT is the telephone-event payload type we accept; -1 when none.
	DTMFRecvPT int
	SRTP       *SRTPKeys   // nil for plain RTP or DTLS-SRTP
	DTLS       *DTLSParams // non-nil: keys come from a DTLS handshake (RFC 5764)
	Direction  Direction   // our effective direction
	Ptime      int         // packet time the peer asked for (ms), 0 when not given
}

func (l *Local) dtmfPT() uint8 {
	if l.DTMFPayloadType == 0 {
		return DefaultDTMFPayloadType
	}
	return l.DTMFPayloadType
}

func (l *Local) ptime() int {
	if l.Ptime <= 0 {
		return 20
	}
	return l.Ptime
}

func (l *Local) session() *Session {
	return &Session{
		Origin: Origin{Username: "-", SessionID: l.SessionID, SessionVersion: l.Version, Address: l.Addr.String()},
		Name:   "-",
		Addr:   l.Addr,
	}
}

// wantsCodec reports whether name is one of ours (case-insensitive, RFC 4855).
func (l *Local) wantsCodec(name string) bool {
	for _, c := range l.Codecs {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}

// offerOrder is l.Codecs with Keep moved to the front (RFC 3264 section 8.3.2: a re-offer
// should not make the answerer change a codec that works).
func (l *Local) offerOrder() []string {
	if l.Keep == "" || !l.wantsCodec(l.Keep) {
		return l.Codecs
	}
	out := []string{l.Keep}
	for _, c := range l.Codecs {
		if !strings.EqualFold(c, l.Keep) {
			out = append(out, c)
		}
	}
	return out
}

// BuildOffer makes an offer with one m=audio line. With crypto the profile is RTP/SAVP when SRTP is
// required and RTP/AVP with a=crypto (best effort) otherwise.
func BuildOffer(l Local) (*Session, error) {
	if l.RequireSRTP && len(l.Crypto) == 0 && !l.dtlsLocal() {
		return nil, ErrNoCrypto
	}
	s := l.session()
	m := Media{Type: "audio", Port: l.Port, Proto: ProtoRTP, Ptime: l.ptime(), RTCPPort: l.Port + 1,
		Direction: l.Direction, HasDir: true}
	if l.RequireSRTP {
		m.Proto = ProtoSRTP
	}
	for _, name := range l.offerOrder() {
		f, ok := formats[strings.ToUpper(name)]
		if !ok {
			return nil, fmt.Errorf("sdp: codec %q is not supported", name)
		}
		m.Codecs = append(m.Codecs, f)
	}
	if len(m.Codecs) == 0 {
		return nil, ErrNoCommonCodec
	}
	m.Codecs = append(m.Codecs, Codec{PT: l.dtmfPT(), Name: telephoneEvent, Rate: 8000, Fmtp: "0-16"})
	m.Crypto = append(m.Crypto, l.Crypto...)
	if err := l.offerKeyExchange(&m); err != nil {
		return nil, err
	}
	s.Media = []Media{m}
	return s, nil
}

// usableCrypto reports whether c can be used with one of our suites: it must name a suite we
// have and must not turn off encryption or authentication (RFC 4568 session parameters).
func usableCrypto(c Crypto, ours []Crypto) (Crypto, bool) {
	for _, p := range []string{"UNENCRYPTED_SRTP", "UNENCRYPTED_SRTCP", "UNAUTHENTICATED_SRTP"} {
		if strings.Contains(c.Params, p) {
			return Crypto{}, false
		}
	}
	if SuiteKeyLen(c.Suite) == 0 || len(c.Key) != SuiteKeyLen(c.Suite) {
		return Crypto{}, false
	}
	for _, o := range ours {
		if o.Suite == c.Suite {
			return o, true
		}
	}
	return Crypto{}, false
}

func isRTPProto(p string) bool {
	switch p {
	case ProtoRTP, ProtoSRTP, "RTP/AVPF", "RTP/SAVPF", ProtoDTLSSRTP, ProtoDTLSSRTPF:
		return true
	}
	return false
}

func isSecureProto(p string) bool { return p == ProtoSRTP || p == "RTP/SAVPF" || IsDTLSProto(p) }

// remoteAddrs returns where to send RTP and RTCP for m.
func remoteAddrs(s *Session, m *Media) (netip.AddrPort, netip.AddrPort, error) {
	a := s.ConnAddr(m)
	if !a.IsValid() {
		return netip.AddrPort{}, netip.AddrPort{}, ErrNoAddress
	}
	rtp := netip.AddrPortFrom(a, uint16(m.Port))
	rtcpPort := m.Port + 1
	if m.RTCPPort > 0 {
		rtcpPort = m.RTCPPort
	}
	if rtcpPort > 65535 {
		rtcpPort = m.Port
	}
	ra := a
	if m.RTCPAddr.IsValid() {
		ra = m.RTCPAddr
	}
	return rtp, netip.AddrPortFrom(ra, uint16(rtcpPort)), nil
}

// peerCodecs returns the audio codecs in m we support, in m's order, and the telephone-event PT.
func peerCodecs(m *Media, l *Local) (codecs []Codec, dtmf int) {
	dtmf = -1
	for _, c := range m.Codecs {
		switch {
		case strings.EqualFold(c.Name, telephoneEvent) && c.Rate == 8000:
			if dtmf < 0 {
				dtmf = int(c.PT)
			}
		case l.wantsCodec(c.Name):
			f, ok := format(c.Name, c.Rate)
			if !ok {
				continue // e.g. a G.722 rtpmap with a 16000 clock, or opus not at 48000
			}
			c.Name = f.Name
			codecs = append(codecs, c)
		}
	}
	return codecs, dtmf
}

// effectiveDirection is m's direction, where a connection address of 0.0.0.0 (the RFC 2543 hold
// style, RFC 3264 section 8.4) means the peer does not want to receive.
func effectiveDirection(s *Session, m *Media) Direction {
	d := s.MediaDirection(m)
	if a := s.ConnAddr(m); a.IsValid() && a.IsUnspecified() {
		d = fromFlags(d.CanSend(), false)
	}
	return d
}

// BuildAnswer answers offer for our side l. The first m=audio line is accepted, every other stream
// is rejected with port 0 (RFC 3264 section 6). It returns ErrNoCrypto when SRTP is required (or the
// offer is RTP/SAVP) and no offered a=crypto line is usable.
func BuildAnswer(offer *Session, l Local) (*Session, Result, error) {
	var res Result
	ans := l.session()
	accepted := false
	for i := range offer.Media {
		om := &offer.Media[i]
		if accepted || om.Type != "audio" || om.Port == 0 || !isRTPProto(om.Proto) {
			ans.Media = append(ans.Media, Media{Type: om.Type, Port: 0, Proto: om.Proto, Formats: om.Formats})
			continue
		}
		m, r, err := answerAudio(offer, om, &l)
		if err != nil {
			return nil, Result{}, err
		}
		accepted = true
		res = r
		ans.Media = append(ans.Media, m)
	}
	if !accepted {
		return nil, Result{}, ErrNoAudio
	}
	return ans, res, nil
}

// chooseCodec picks the codec to answer with from the offered ones we support (in offer order).
// The codec in use (Keep) stays when offered. Otherwise the offerer's first choice wins, unless
// we rank a wideband codec that the offer also lists above it: wideband is worth the change.
func chooseCodec(offered []Codec, l *Local) Codec {
	find := func(name string) (Codec, bool) {
		for _, c := range offered {
			if strings.EqualFold(c.Name, name) {
				return c, true
			}
		}
		return Codec{}, false
	}
	if c, ok := find(l.Keep); ok && l.Keep != "" {
		return c
	}
	first := offered[0]
	for _, name := range l.Codecs {
		if strings.EqualFold(name, first.Name) {
			break
		}
		if c, ok := find(name); ok && IsWideband(name) {
			return c
		}
	}
	return first
}

func answerAudio(offer *Session, om *Media, l *Local) (Media, Result, error) {
	res := Result{DTMFSendPT: -1, DTMFRecvPT: -1, Ptime: om.Ptime}
	codecs, dtmf := peerCodecs(om, l)
	if len(codecs) == 0 {
		return Media{}, Result{}, ErrNoCommonCodec
	}
	var err error
	if res.Remote, res.RemoteRTCP, err = remoteAddrs(offer, om); err != nil {
		return Media{}, Result{}, err
	}
	res.Codec = chooseCodec(codecs, l)
	res.RecvCodecs = []Codec{res.Codec}
	m := Media{Type: "audio", Port: l.Port, Proto: om.Proto, Ptime: l.ptime(), RTCPPort: l.Port + 1, HasDir: true}
	// Answer with just the chosen codec, under the offer's payload type (RFC 3264 section 6.1),
	// with our own format parameters.
	ours := formats[strings.ToUpper(res.Codec.Name)]
	ours.PT = res.Codec.PT
	m.Codecs = []Codec{ours}
	if dtmf >= 0 {
		// RFC 3264 section 6.1: use the offer's payload type numbers in the answer.
		res.DTMFSendPT, res.DTMFRecvPT = dtmf, dtmf
		m.Codecs = append(m.Codecs, Codec{PT: uint8(dtmf), Name: telephoneEvent, Rate: 8000, Fmtp: "0-16"})
	}
	offDir := effectiveDirection(offer, om)
	m.Direction = AnswerDirection(offDir, l.Direction)
	res.Direction = m.Direction

	if done, err := answerDTLS(offer, om, l, &m, &res); done || err != nil {
		return m, res, err
	}
	// SDES: pick the offered line whose suite we prefer most (RFC 4568 section 7.1.2).
	var chosen, mine Crypto
	found := false
	for _, o := range l.Crypto {
		for _, c := range om.Crypto {
			if c.Suite != o.Suite {
				continue
			}
			if ours, ok := usableCrypto(c, l.Crypto); ok {
				chosen, mine, found = c, ours, true
				break
			}
		}
		if found {
			break
		}
	}
	switch {
	case found:
		m.Crypto = []Crypto{{Tag: chosen.Tag, Suite: chosen.Suite, Key: mine.Key}}
		res.SRTP = &SRTPKeys{Suite: chosen.Suite, LocalKey: mine.Key, RemoteKey: chosen.Key}
	case l.RequireSRTP || isSecureProto(om.Proto):
		return Media{}, Result{}, ErrNoCrypto
	}
	return m, res, nil
}

// ApplyAnswer checks the peer's answer against our offer and returns the negotiated stream.
// It returns ErrNoCrypto when SRTP is required and the answer carries no matching key.
func ApplyAnswer(offer, answer *Session, l Local) (Result, error) {
	om := offer.Audio()
	if om == nil {
		return Result{}, ErrNoAudio
	}
	// The answer's streams correspond to the offer's by position (RFC 3264 section 6).
	idx := 0
	for i := range offer.Media {
		if &offer.Media[i] == om {
			idx = i
		}
	}
	if idx >= len(answer.Media) || answer.Media[idx].Type != "audio" {
		return Result{}, ErrNoAudio
	}
	am := &answer.Media[idx]
	if am.Port == 0 {
		return Result{}, ErrRejected
	}
	res := Result{DTMFSendPT: -1, DTMFRecvPT: -1, Ptime: am.Ptime}
	codecs, dtmf := peerCodecs(am, &l)
	// Only codecs we offered count.
	var ok []Codec
	for _, c := range codecs {
		for _, o := range om.Codecs {
			if strings.EqualFold(o.Name, c.Name) {
				ok = append(ok, c)
				break
			}
		}
	}
	if len(ok) == 0 {
		return Result{}, ErrNoCommonCodec
	}
	res.Codec = ok[0]
	res.RecvCodecs = ok
	// The peer should send with the payload types of our offer; accept the answer's numbers too
	// (some phones answer a dynamic codec under their own number).
	for _, c := range ok {
		for _, o := range om.Codecs {
			if strings.EqualFold(o.Name, c.Name) && o.PT != c.PT {
				res.RecvCodecs = append(res.RecvCodecs, Codec{PT: o.PT, Name: c.Name, Rate: c.Rate, Channels: c.Channels})
			}
		}
	}
	if dtmf >= 0 {
		res.DTMFSendPT = dtmf
		res.DTMFRecvPT = int(l.dtmfPT())
	}
	var err error
	if res.Remote, res.RemoteRTCP, err = remoteAddrs(answer, am); err != nil {
		return Result{}, err
	}
	ansDir := effectiveDirection(answer, am)
	ourDir := offer.MediaDirection(om)
	res.Direction = fromFlags(ourDir.CanSend() && ansDir.CanRecv(), ourDir.CanRecv() && ansDir.CanSend())

	if done, err := applyDTLS(offer, om, answer, am, &l, &res); done || err != nil {
		return res, err
	}
	var got *Crypto
	for i := range am.Crypto {
		c := am.Crypto[i]
		for _, o := range om.Crypto {
			if o.Tag == c.Tag && o.Suite == c.Suite {
				if _, usable := usableCrypto(c, om.Crypto); usable {
					got = &c
					res.SRTP = &SRTPKeys{Suite: c.Suite, LocalKey: o.Key, RemoteKey: c.Key}
				}
			}
		}
		if got != nil {
			break
		}
	}
	switch {
	case got != nil:
	case len(am.Crypto) > 0 && len(om.Crypto) > 0:
		return Result{}, ErrCryptoMismatch
	case l.RequireSRTP || isSecureProto(am.Proto) || isSecureProto(om.Proto):
		return Result{}, ErrNoCrypto
	}
	return res, nil
}

// String renders a Direction-bearing summary of r for logs (no keys).
func (r Result) String() string {
	suite := "none"
	if r.SRTP != nil {
		suite = r.SRTP.Suite
	}
	if r.DTLS != nil {
		suite = "dtls-" + r.DTLS.Role.String()
	}
	return r.Codec.Name + "/" + strconv.Itoa(r.Codec.Rate) + " srtp=" + suite + " dir=" + r.Direction.String()
}
