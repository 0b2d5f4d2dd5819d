package demo

// The tests' own SRTP peer ("phone side"): a deliberately small SDP
// (RFC 4566) reader and writer, one audio stream, G.711, SDES (RFC 4568)
// keys. It is independent of audio/sdp on purpose: the demo PBX runs on the
// audio package, so these tests check audio's SDES/SRTP against a second
// implementation instead of against itself.

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/pion/srtp/v3"
)

// Payload types used by the demo PBX.
const (
	ptPCMU  = 0
	ptPCMA  = 8
	ptEvent = 101 // telephone-event (RFC 4733) in our own offers
)

// maxSDPSize bounds what the parser reads; an audio offer is a few hundred bytes.
const maxSDPSize = 16 << 10

// direction is an SDP media direction attribute.
type direction int

const (
	dirSendRecv direction = iota
	dirSendOnly
	dirRecvOnly
	dirInactive
)

// String returns the SDP attribute name.
func (d direction) String() string {
	switch d {
	case dirSendOnly:
		return "sendonly"
	case dirRecvOnly:
		return "recvonly"
	case dirInactive:
		return "inactive"
	default:
		return "sendrecv"
	}
}

// answer is the direction that answers an offered one (RFC 3264 §6.1).
func (d direction) answer() direction {
	switch d {
	case dirSendOnly:
		return dirRecvOnly
	case dirRecvOnly:
		return dirSendOnly
	default:
		return d
	}
}

func (d direction) sends() bool { return d == dirSendRecv || d == dirSendOnly }

// suite is an SDES crypto suite the demo understands.
type suite struct {
	name    string
	profile srtp.ProtectionProfile
	keyLen  int // master key + master salt
}

// suites in our order of preference.
var suites = []suite{
	{"AEAD_AES_128_GCM", srtp.ProtectionProfileAeadAes128Gcm, 16 + 12},
	{"AES_CM_128_HMAC_SHA1_80", srtp.ProtectionProfileAes128CmHmacSha1_80, 16 + 14},
	{"AES_CM_128_HMAC_SHA1_32", srtp.ProtectionProfileAes128CmHmacSha1_32, 16 + 14},
}

func suiteByName(name string) (suite, bool) {
	for _, s := range suites {
		if s.name == name {
			return s, true
		}
	}
	return suite{}, false
}

// cryptoAttr is one a=crypto line (RFC 4568 §9.1) with a usable inline key.
type cryptoAttr struct {
	tag   int
	suite suite
	key   []byte // master key followed by master salt
}

// mediaDesc is the part of a session description the demo uses.
type mediaDesc struct {
	addr     netip.AddrPort // connection address and RTP port
	proto    string         // "RTP/SAVP", "RTP/AVP", …
	payloads []uint8        // in order of preference
	codecs   map[uint8]string
	eventPT  int // telephone-event payload type, -1 when absent
	crypto   []cryptoAttr
	dir      direction
}

// parseSDP reads the first audio stream of a session description. It never
// panics on malformed input; anything it cannot use is an ErrSDP error.
func parseSDP(b []byte) (*mediaDesc, error) {
	if len(b) == 0 || len(b) > maxSDPSize {
		return nil, fmt.Errorf("%w: size %d", ErrSDP, len(b))
	}
	var (
		m         *mediaDesc
		sessConn  netip.Addr
		mediaConn netip.Addr
		sessDir   = dirSendRecv
		haveMDir  bool
		port      int
		inAudio   bool
		seenAudio bool
		sawMedia  bool // attributes after any m= line are not session-level
	)
	for _, raw := range bytes.Split(b, []byte("\n")) {
		line := strings.TrimRight(string(raw), "\r")
		if len(line) < 2 || line[1] != '=' {
			continue
		}
		typ, val := line[0], line[2:]
		if typ == 'm' {
			sawMedia = true
			if seenAudio {
				inAudio = false // only the first audio stream counts
				continue
			}
			f := strings.Fields(val)
			if len(f) < 4 || f[0] != "audio" {
				inAudio = false
				continue
			}
			p, err := strconv.Atoi(f[1])
			if err != nil || p < 0 || p > 65535 {
				return nil, fmt.Errorf("%w: bad port", ErrSDP)
			}
			port = p
			m = &mediaDesc{proto: f[2], codecs: map[uint8]string{}, eventPT: -1}
			for _, s := range f[3:] {
				pt, err := strconv.Atoi(s)
				if err != nil || pt < 0 || pt > 127 {
					return nil, fmt.Errorf("%w: bad payload type", ErrSDP)
				}
				m.payloads = append(m.payloads, uint8(pt))
			}
			inAudio, seenAudio = true, true
			continue
		}
		switch typ {
		case 'c':
			f := strings.Fields(val)
			if len(f) != 3 || f[0] != "IN" {
				return nil, fmt.Errorf("%w: bad connection line", ErrSDP)
			}
			a, err := netip.ParseAddr(strings.SplitN(f[2], "/", 2)[0])
			if err != nil {
				return nil, fmt.Errorf("%w: bad connection address", ErrSDP)
			}
			if inAudio {
				mediaConn = a
			} else if !sawMedia {
				sessConn = a
			}
		case 'a':
			if sawMedia && !inAudio {
				continue
			}
			name, arg, _ := strings.Cut(val, ":")
			if d, ok := parseDirection(name); ok {
				if inAudio {
					m.dir, haveMDir = d, true
				} else {
					sessDir = d
				}
				continue
			}
			if !inAudio {
				continue
			}
			switch name {
			case "rtpmap":
				ptStr, enc, ok := strings.Cut(arg, " ")
				pt, err := strconv.Atoi(ptStr)
				if !ok || err != nil || pt < 0 || pt > 127 {
					continue
				}
				enc = strings.TrimSpace(enc)
				m.codecs[uint8(pt)] = enc
				if strings.HasPrefix(strings.ToLower(enc), "telephone-event/8000") {
					m.eventPT = pt
				}
			case "crypto":
				if c, ok := parseCrypto(arg); ok {
					m.crypto = append(m.crypto, c)
				}
			}
		}
	}
	if m == nil {
		return nil, fmt.Errorf("%w: no audio stream", ErrSDP)
	}
	if !haveMDir {
		m.dir = sessDir
	}
	conn := mediaConn
	if !conn.IsValid() {
		conn = sessConn
	}
	if !conn.IsValid() {
		return nil, fmt.Errorf("%w: no connection address", ErrSDP)
	}
	m.addr = netip.AddrPortFrom(conn.Unmap(), uint16(port))
	return m, nil
}

func parseDirection(s string) (direction, bool) {
	switch s {
	case "sendrecv":
		return dirSendRecv, true
	case "sendonly":
		return dirSendOnly, true
	case "recvonly":
		return dirRecvOnly, true
	case "inactive":
		return dirInactive, true
	}
	return 0, false
}

// parseCrypto reads "tag suite inline:KEY[|lifetime][|MKI:len]". Keys with an
// MKI are skipped: the demo does not do MKI.
func parseCrypto(arg string) (cryptoAttr, bool) {
	f := strings.Fields(arg)
	if len(f) < 3 {
		return cryptoAttr{}, false
	}
	tag, err := strconv.Atoi(f[0])
	if err != nil || tag < 0 || tag > 999999999 {
		return cryptoAttr{}, false
	}
	s, ok := suiteByName(f[1])
	if !ok {
		return cryptoAttr{}, false
	}
	inline, ok := strings.CutPrefix(f[2], "inline:")
	if !ok {
		return cryptoAttr{}, false
	}
	parts := strings.Split(inline, "|")
	for _, p := range parts[1:] {
		if strings.Contains(p, ":") {
			return cryptoAttr{}, false // MKI
		}
	}
	key, err := base64.StdEncoding.DecodeString(parts[0])
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(parts[0])
	}
	if err != nil || len(key) != s.keyLen {
		return cryptoAttr{}, false
	}
	return cryptoAttr{tag: tag, suite: s, key: key}, true
}

// codec returns the first static G.711 payload type offered in m.
func (m *mediaDesc) codec() (uint8, bool) {
	for _, pt := range m.payloads {
		enc := strings.ToUpper(m.codecs[pt])
		switch {
		case pt == ptPCMU && (enc == "" || strings.HasPrefix(enc, "PCMU/8000")),
			pt == ptPCMA && (enc == "" || strings.HasPrefix(enc, "PCMA/8000")):
			return pt, true
		}
	}
	return 0, false
}

// newKey makes a fresh SDES master key and salt for s.
func newKey(s suite) []byte {
	k := make([]byte, s.keyLen)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return k
}

// sdpParams describes one session description the demo writes.
type sdpParams struct {
	sessionID uint64
	version   uint64
	addr      netip.AddrPort
	payloads  []uint8 // G.711 payload types offered/answered
	eventPT   int     // -1 for none
	crypto    []cryptoAttr
	dir       direction
}

// buildSDP writes a session description for params.
func buildSDP(p sdpParams) []byte {
	var b strings.Builder
	ip := p.addr.Addr().String()
	fmt.Fprintf(&b, "v=0\r\no=- %d %d IN IP4 %s\r\ns=softphone demo\r\nc=IN IP4 %s\r\nt=0 0\r\n",
		p.sessionID, p.version, ip, ip)
	fmt.Fprintf(&b, "m=audio %d RTP/SAVP", p.addr.Port())
	for _, pt := range p.payloads {
		fmt.Fprintf(&b, " %d", pt)
	}
	if p.eventPT >= 0 {
		fmt.Fprintf(&b, " %d", p.eventPT)
	}
	b.WriteString("\r\n")
	for _, pt := range p.payloads {
		name := "PCMU"
		if pt == ptPCMA {
			name = "PCMA"
		}
		fmt.Fprintf(&b, "a=rtpmap:%d %s/8000\r\n", pt, name)
	}
	if p.eventPT >= 0 {
		fmt.Fprintf(&b, "a=rtpmap:%d telephone-event/8000\r\na=fmtp:%d 0-16\r\n", p.eventPT, p.eventPT)
	}
	b.WriteString("a=ptime:20\r\n")
	for _, c := range p.crypto {
		fmt.Fprintf(&b, "a=crypto:%d %s inline:%s\r\n", c.tag, c.suite.name, base64.StdEncoding.EncodeToString(c.key))
	}
	fmt.Fprintf(&b, "a=%s\r\n", p.dir)
	return []byte(b.String())
}
