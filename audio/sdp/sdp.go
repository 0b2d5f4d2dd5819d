// Package sdp parses and builds session descriptions (RFC 4566) for one audio stream and
// implements the offer/answer rules of RFC 3264 with SDES keys (RFC 4568). It is pure: no I/O.
package sdp

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Transport protocols of an m= line.
const (
	ProtoRTP  = "RTP/AVP"  // plain RTP
	ProtoSRTP = "RTP/SAVP" // SRTP keyed by a=crypto
)

// maxLines bounds the work done on hostile input.
const maxLines = 4096

// Origin is the o= line.
type Origin struct {
	Username       string
	SessionID      uint64
	SessionVersion uint64
	Address        string // unicast address as written (IP or host name)
}

// Attr is an attribute kept verbatim: "a=Key:Value" or "a=Key" when Value is empty.
type Attr struct {
	Key, Value string
}

// Codec is one RTP payload format of an m= line with its a=rtpmap / a=fmtp data.
type Codec struct {
	PT       uint8
	Name     string // encoding name as written, e.g. "PCMU", "telephone-event"
	Rate     int    // clock rate
	Channels int    // 0 when not given
	Fmtp     string // format parameters, "" when absent
}

// Crypto is an a=crypto line (RFC 4568) with a single inline key.
type Crypto struct {
	Tag   int
	Suite string // e.g. "AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"
	Key   []byte // master key || master salt
	// Params holds anything after the key (lifetime, MKI) and session parameters, verbatim.
	Params string
}

// Media is one m= section.
type Media struct {
	Type      string   // "audio", "video", …
	Port      int      // 0 = rejected / disabled
	PortCount int      // from "port/count"; 0 when absent
	Proto     string   // ProtoRTP, ProtoSRTP, …
	Formats   []string // format tokens as written on the m= line
	Codecs    []Codec  // the numeric formats, in m= order, with rtpmap/fmtp applied

	Addr      netip.Addr // media-level c=; invalid when absent
	Direction Direction
	HasDir    bool // a direction attribute was present at media level
	Ptime     int  // a=ptime in ms; 0 when absent
	RTCPPort  int  // a=rtcp port; 0 when absent
	RTCPAddr  netip.Addr
	RTCPMux   bool
	Crypto    []Crypto
	Attrs     []Attr // other attributes, verbatim
}

// Session is a parsed session description.
type Session struct {
	Origin    Origin
	Name      string
	Addr      netip.Addr // session-level c=; invalid when absent
	Direction Direction
	HasDir    bool
	Attrs     []Attr // other session attributes, verbatim
	Media     []Media
}

// staticCodecs are the RFC 3551 static payload types we know by number.
var staticCodecs = map[uint8]Codec{
	0:  {PT: 0, Name: "PCMU", Rate: 8000, Channels: 1},
	3:  {PT: 3, Name: "GSM", Rate: 8000, Channels: 1},
	8:  {PT: 8, Name: "PCMA", Rate: 8000, Channels: 1},
	9:  {PT: 9, Name: "G722", Rate: 8000, Channels: 1},
	13: {PT: 13, Name: "CN", Rate: 8000, Channels: 1},
	18: {PT: 18, Name: "G729", Rate: 8000, Channels: 1},
}

// Parse parses an SDP body. It never panics; unknown lines and attributes are kept or ignored as
// RFC 4566 allows, structural errors return ErrMalformed.
func Parse(b []byte) (*Session, error) {
	s := &Session{}
	var cur *Media
	sawV := false
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) > maxLines {
		return nil, fmt.Errorf("%w: too many lines", ErrMalformed)
	}
	for i, raw := range lines {
		line := strings.TrimRight(string(raw), "\r")
		if line == "" {
			continue
		}
		if len(line) < 2 || line[1] != '=' {
			return nil, fmt.Errorf("%w: line %d", ErrMalformed, i+1)
		}
		typ, val := line[0], line[2:]
		if !sawV {
			if typ != 'v' || strings.TrimSpace(val) != "0" {
				return nil, fmt.Errorf("%w: must start with v=0", ErrMalformed)
			}
			sawV = true
			continue
		}
		var err error
		switch typ {
		case 'o':
			if cur == nil {
				s.Origin, err = parseOrigin(val)
			}
		case 's':
			if cur == nil {
				s.Name = val
			}
		case 'c':
			var a netip.Addr
			a, err = parseConn(val)
			if cur == nil {
				s.Addr = a
			} else {
				cur.Addr = a
			}
		case 'm':
			var m Media
			m, err = parseMediaLine(val)
			if err == nil {
				s.Media = append(s.Media, m)
				cur = &s.Media[len(s.Media)-1]
			}
		case 'a':
			if cur == nil {
				s.parseSessionAttr(val)
			} else {
				err = cur.parseAttr(val)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
	}
	if !sawV {
		return nil, fmt.Errorf("%w: empty", ErrMalformed)
	}
	for i := range s.Media {
		s.Media[i].applyStatic()
	}
	return s, nil
}

func parseOrigin(v string) (Origin, error) {
	f := strings.Fields(v)
	if len(f) != 6 {
		return Origin{}, fmt.Errorf("%w: o= needs 6 fields", ErrMalformed)
	}
	// Session IDs are "numeric strings"; some stacks exceed 64 bits, so keep what fits.
	id, _ := strconv.ParseUint(f[1], 10, 64)
	ver, _ := strconv.ParseUint(f[2], 10, 64)
	return Origin{Username: f[0], SessionID: id, SessionVersion: ver, Address: f[5]}, nil
}

func parseConn(v string) (netip.Addr, error) {
	f := strings.Fields(v)
	if len(f) != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") {
		return netip.Addr{}, fmt.Errorf("%w: c= %q", ErrMalformed, v)
	}
	host := f[2]
	if i := strings.IndexByte(host, '/'); i >= 0 { // multicast TTL / count
		host = host[:i]
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		// A host name is legal but useless for media; treat as absent rather than failing the call.
		return netip.Addr{}, nil
	}
	return a.Unmap(), nil
}

func parseMediaLine(v string) (Media, error) {
	f := strings.Fields(v)
	if len(f) < 3 {
		return Media{}, fmt.Errorf("%w: m= needs at least 3 fields", ErrMalformed)
	}
	m := Media{Type: f[0], Proto: f[2], Formats: append([]string(nil), f[3:]...)}
	port := f[1]
	if i := strings.IndexByte(port, '/'); i >= 0 {
		n, err := strconv.Atoi(port[i+1:])
		if err != nil || n < 1 || n > 65535 {
			return Media{}, fmt.Errorf("%w: m= port count", ErrMalformed)
		}
		m.PortCount = n
		port = port[:i]
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 0 || p > 65535 {
		return Media{}, fmt.Errorf("%w: m= port", ErrMalformed)
	}
	m.Port = p
	if strings.HasPrefix(m.Proto, "RTP/") || IsDTLSProto(m.Proto) {
		for _, tok := range m.Formats {
			pt, err := strconv.ParseUint(tok, 10, 8)
			if err != nil || pt > 127 {
				return Media{}, fmt.Errorf("%w: payload type %q", ErrMalformed, tok)
			}
			m.Codecs = append(m.Codecs, Codec{PT: uint8(pt)})
		}
	}
	return m, nil
}

func (s *Session) parseSessionAttr(v string) {
	key, val, _ := strings.Cut(v, ":")
	if d, ok := parseDirection(key); ok && val == "" {
		s.Direction, s.HasDir = d, true
		return
	}
	s.Attrs = append(s.Attrs, Attr{Key: key, Value: val})
}

func (m *Media) codec(pt uint8) *Codec {
	for i := range m.Codecs {
		if m.Codecs[i].PT == pt {
			return &m.Codecs[i]
		}
	}
	return nil
}

func (m *Media) parseAttr(v string) error {
	key, val, _ := strings.Cut(v, ":")
	if d, ok := parseDirection(key); ok && val == "" {
		m.Direction, m.HasDir = d, true
		return nil
	}
	switch key {
	case "rtpmap":
		ptS, rest, ok := strings.Cut(val, " ")
		pt, err := strconv.ParseUint(ptS, 10, 8)
		if !ok || err != nil {
			return fmt.Errorf("%w: rtpmap %q", ErrMalformed, val)
		}
		parts := strings.Split(strings.TrimSpace(rest), "/")
		if len(parts) < 2 || parts[0] == "" {
			return fmt.Errorf("%w: rtpmap %q", ErrMalformed, val)
		}
		rate, err := strconv.Atoi(parts[1])
		if err != nil || rate <= 0 {
			return fmt.Errorf("%w: rtpmap rate %q", ErrMalformed, val)
		}
		ch := 0
		if len(parts) > 2 {
			if ch, err = strconv.Atoi(parts[2]); err != nil || ch < 0 {
				return fmt.Errorf("%w: rtpmap channels %q", ErrMalformed, val)
			}
		}
		if c := m.codec(uint8(pt)); c != nil { // rtpmap for a PT not on the m= line is ignored
			c.Name, c.Rate, c.Channels = parts[0], rate, ch
		}
	case "fmtp":
		ptS, rest, _ := strings.Cut(val, " ")
		pt, err := strconv.ParseUint(ptS, 10, 8)
		if err != nil {
			return fmt.Errorf("%w: fmtp %q", ErrMalformed, val)
		}
		if c := m.codec(uint8(pt)); c != nil {
			c.Fmtp = strings.TrimSpace(rest)
		}
	case "ptime":
		p, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil || p <= 0 || p > 1000 {
			return fmt.Errorf("%w: ptime %q", ErrMalformed, val)
		}
		m.Ptime = p
	case "rtcp":
		// RFC 3605: a=rtcp:port [IN IP4 addr]
		f := strings.Fields(val)
		if len(f) == 0 {
			return fmt.Errorf("%w: rtcp %q", ErrMalformed, val)
		}
		p, err := strconv.Atoi(f[0])
		if err != nil || p < 0 || p > 65535 {
			return fmt.Errorf("%w: rtcp port %q", ErrMalformed, val)
		}
		m.RTCPPort = p
		if len(f) == 4 {
			a, err := parseConn(strings.Join(f[1:], " "))
			if err != nil {
				return err
			}
			m.RTCPAddr = a
		}
	case "rtcp-mux":
		m.RTCPMux = true
	case "crypto":
		c, err := ParseCrypto(val)
		if err != nil {
			// An unusable crypto line (unknown key method, MKI, …) is skipped, not fatal:
			// another line may still match (RFC 4568 section 7.1.2).
			m.Attrs = append(m.Attrs, Attr{Key: key, Value: val})
			return nil //nolint:nilerr // intentionally tolerant
		}
		m.Crypto = append(m.Crypto, c)
	default:
		m.Attrs = append(m.Attrs, Attr{Key: key, Value: val})
	}
	return nil
}

// applyStatic fills names of static payload types that had no rtpmap.
func (m *Media) applyStatic() {
	for i := range m.Codecs {
		c := &m.Codecs[i]
		if c.Name == "" {
			if st, ok := staticCodecs[c.PT]; ok {
				c.Name, c.Rate, c.Channels = st.Name, st.Rate, st.Channels
			}
		}
	}
}

// ConnAddr is the address media for m goes to: media-level c= or else session-level c=.
func (s *Session) ConnAddr(m *Media) netip.Addr {
	if m.Addr.IsValid() {
		return m.Addr
	}
	return s.Addr
}

// MediaDirection is m's effective direction: media-level, else session-level, else sendrecv.
func (s *Session) MediaDirection(m *Media) Direction {
	if m.HasDir {
		return m.Direction
	}
	if s.HasDir {
		return s.Direction
	}
	return SendRecv
}

// Audio returns the first m=audio section, or nil.
func (s *Session) Audio() *Media {
	for i := range s.Media {
		if s.Media[i].Type == "audio" {
			return &s.Media[i]
		}
	}
	return nil
}

// Marshal renders the session as SDP with CRLF line ends.
func (s *Session) Marshal() []byte {
	var b strings.Builder
	b.WriteString("v=0\r\n")
	user := s.Origin.Username
	if user == "" {
		user = "-"
	}
	oaddr := s.Origin.Address
	if oaddr == "" && s.Addr.IsValid() {
		oaddr = s.Addr.String()
	}
	if oaddr == "" {
		oaddr = "0.0.0.0"
	}
	fmt.Fprintf(&b, "o=%s %d %d IN %s %s\r\n", user, s.Origin.SessionID, s.Origin.SessionVersion, ipver(oaddr), oaddr)
	name := s.Name
	if name == "" {
		name = "-"
	}
	fmt.Fprintf(&b, "s=%s\r\n", name)
	if s.Addr.IsValid() {
		fmt.Fprintf(&b, "c=%s\r\n", connString(s.Addr))
	}
	b.WriteString("t=0 0\r\n")
	if s.HasDir {
		fmt.Fprintf(&b, "a=%s\r\n", s.Direction)
	}
	writeAttrs(&b, s.Attrs)
	for i := range s.Media {
		s.Media[i].marshal(&b)
	}
	return []byte(b.String())
}

func ipver(addr string) string {
	if a, err := netip.ParseAddr(addr); err == nil && a.Is6() && !a.Is4In6() {
		return "IP6"
	}
	return "IP4"
}

func connString(a netip.Addr) string {
	return "IN " + ipver(a.String()) + " " + a.String()
}

func writeAttrs(b *strings.Builder, attrs []Attr) {
	for _, a := range attrs {
		if a.Value == "" {
			fmt.Fprintf(b, "a=%s\r\n", a.Key)
		} else {
			fmt.Fprintf(b, "a=%s:%s\r\n", a.Key, a.Value)
		}
	}
}

func (m *Media) marshal(b *strings.Builder) {
	port := strconv.Itoa(m.Port)
	if m.PortCount > 0 {
		port += "/" + strconv.Itoa(m.PortCount)
	}
	formats := m.Formats
	if len(formats) == 0 {
		for _, c := range m.Codecs {
			formats = append(formats, strconv.Itoa(int(c.PT)))
		}
	}
	fmt.Fprintf(b, "m=%s %s %s %s\r\n", m.Type, port, m.Proto, strings.Join(formats, " "))
	if m.Addr.IsValid() {
		fmt.Fprintf(b, "c=%s\r\n", connString(m.Addr))
	}
	for _, c := range m.Codecs {
		if c.Name == "" {
			continue
		}
		if c.Channels > 1 {
			fmt.Fprintf(b, "a=rtpmap:%d %s/%d/%d\r\n", c.PT, c.Name, c.Rate, c.Channels)
		} else {
			fmt.Fprintf(b, "a=rtpmap:%d %s/%d\r\n", c.PT, c.Name, c.Rate)
		}
		if c.Fmtp != "" {
			fmt.Fprintf(b, "a=fmtp:%d %s\r\n", c.PT, c.Fmtp)
		}
	}
	if m.Ptime > 0 {
		fmt.Fprintf(b, "a=ptime:%d\r\n", m.Ptime)
	}
	if m.RTCPPort > 0 {
		if m.RTCPAddr.IsValid() {
			fmt.Fprintf(b, "a=rtcp:%d %s\r\n", m.RTCPPort, connString(m.RTCPAddr))
		} else {
			fmt.Fprintf(b, "a=rtcp:%d\r\n", m.RTCPPort)
		}
	}
	if m.RTCPMux {
		b.WriteString("a=rtcp-mux\r\n")
	}
	if m.HasDir {
		fmt.Fprintf(b, "a=%s\r\n", m.Direction)
	}
	for _, c := range m.Crypto {
		fmt.Fprintf(b, "a=crypto:%s\r\n", c.String())
	}
	writeAttrs(b, m.Attrs)
}
