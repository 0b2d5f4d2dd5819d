package sdp

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ICE attributes of a media section (RFC 8839). Parse keeps them verbatim in Media.Attrs and
// Session.Attrs; MediaICE reads and validates them, SetICE writes them. Every value comes from the
// network, so each field is checked against the RFC 8839 grammar and bounded in length.

// Candidate types (RFC 8445 section 5.1.1).
const (
	CandHost  = "host"
	CandSrflx = "srflx"
	CandPrflx = "prflx"
	CandRelay = "relay"
)

// Limits on what we accept from a peer.
const (
	maxCandidates = 64  // per media section; more is an attack or a misconfiguration
	maxICEToken   = 256 // ufrag, pwd and foundation bound
)

// ICECandidate is one a=candidate line.
type ICECandidate struct {
	Foundation string
	Component  int    // 1 = RTP (and RTCP with rtcp-mux), 2 = RTCP
	Transport  string // "UDP" or "TCP", as written
	Priority   uint32
	Addr       string // IP address, or an mDNS name (".local") as written
	Port       int
	Type       string // CandHost, CandSrflx, CandPrflx, CandRelay
	RelAddr    string // raddr, "" when absent
	RelPort    int    // rport
	// Ext holds the extension name/value pairs after the related address, e.g. "tcptype",
	// "active", "generation", "0", verbatim.
	Ext []string
}

// ICE is the ICE description of one media section.
type ICE struct {
	Ufrag, Pwd      string
	Candidates      []ICECandidate
	EndOfCandidates bool
	Lite            bool // a=ice-lite (session level)
}

// ParseCandidate parses the value of an a=candidate attribute.
func ParseCandidate(v string) (ICECandidate, error) {
	var c ICECandidate
	f := strings.Fields(v)
	bad := func(what string) (ICECandidate, error) {
		return ICECandidate{}, fmt.Errorf("%w: candidate %s", ErrMalformed, what)
	}
	if len(f) < 8 || len(f) > 32 {
		return bad("field count")
	}
	if !isICEToken(f[0], 1, 32) {
		return bad("foundation")
	}
	c.Foundation = f[0]
	comp, err := strconv.Atoi(f[1])
	if err != nil || comp < 1 || comp > 256 {
		return bad("component")
	}
	c.Component = comp
	if !isToken(f[2]) {
		return bad("transport")
	}
	c.Transport = f[2]
	prio, err := strconv.ParseUint(f[3], 10, 32)
	if err != nil || prio == 0 {
		return bad("priority")
	}
	c.Priority = uint32(prio)
	if !isAddrToken(f[4]) {
		return bad("address")
	}
	c.Addr = f[4]
	if c.Port, err = parsePort(f[5]); err != nil {
		return bad("port")
	}
	if f[6] != "typ" {
		return bad("typ")
	}
	switch f[7] {
	case CandHost, CandSrflx, CandPrflx, CandRelay:
		c.Type = f[7]
	default:
		return bad("type")
	}
	rest := f[8:]
	if len(rest) >= 2 && rest[0] == "raddr" {
		if !isAddrToken(rest[1]) {
			return bad("raddr")
		}
		c.RelAddr, rest = rest[1], rest[2:]
	}
	if len(rest) >= 2 && rest[0] == "rport" {
		if c.RelPort, err = parsePort(rest[1]); err != nil {
			return bad("rport")
		}
		rest = rest[2:]
	}
	if len(rest)%2 != 0 {
		return bad("extension")
	}
	for _, t := range rest {
		if !isToken(t) {
			return bad("extension")
		}
	}
	c.Ext = append([]string(nil), rest...)
	return c, nil
}

// String renders the candidate as an a=candidate value.
func (c ICECandidate) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %s %d %s %d typ %s", c.Foundation, c.Component, c.Transport, c.Priority, c.Addr, c.Port, c.Type)
	if c.RelAddr != "" {
		fmt.Fprintf(&b, " raddr %s rport %d", c.RelAddr, c.RelPort)
	}
	for _, e := range c.Ext {
		b.WriteByte(' ')
		b.WriteString(e)
	}
	return b.String()
}

// AddrPort returns the candidate's transport address when it is an IP address.
func (c ICECandidate) AddrPort() (netip.AddrPort, bool) {
	a, err := netip.ParseAddr(c.Addr)
	if err != nil {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(c.Port)), true
}

// MediaICE returns the ICE description of m in s: ufrag and pwd at media level or else at session
// level (RFC 8839 section 5.4), and m's candidates. Candidates that do not parse are skipped, as
// RFC 8839 section 5.1 asks. ok is false when the section does not do ICE: no valid credentials
// or no usable candidate.
func MediaICE(s *Session, m *Media) (ice ICE, ok bool) {
	for _, a := range s.Attrs {
		switch a.Key {
		case "ice-ufrag":
			ice.Ufrag = a.Value
		case "ice-pwd":
			ice.Pwd = a.Value
		case "ice-lite":
			ice.Lite = true
		}
	}
	for _, a := range m.Attrs {
		switch a.Key {
		case "ice-ufrag":
			ice.Ufrag = a.Value
		case "ice-pwd":
			ice.Pwd = a.Value
		case "end-of-candidates":
			ice.EndOfCandidates = true
		case "candidate":
			if len(ice.Candidates) >= maxCandidates {
				continue
			}
			if c, err := ParseCandidate(a.Value); err == nil {
				ice.Candidates = append(ice.Candidates, c)
			}
		}
	}
	// RFC 8839 section 5.4: ufrag 4..256 ice-chars, pwd 22..256 ice-chars.
	if !isICEToken(ice.Ufrag, 4, maxICEToken) || !isICEToken(ice.Pwd, 22, maxICEToken) || len(ice.Candidates) == 0 {
		return ICE{}, false
	}
	return ice, true
}

// iceKeys are the attributes SetICE owns.
var iceKeys = map[string]bool{"ice-ufrag": true, "ice-pwd": true, "candidate": true, "end-of-candidates": true, "ice-options": true}

// SetICE replaces the ICE attributes of m with ice and turns on rtcp-mux: we run one ICE
// component that carries RTP and RTCP (RFC 5761). Gathering is complete before an offer or
// answer is made, so the candidate list ends with a=end-of-candidates (RFC 8840).
func SetICE(m *Media, ice ICE) {
	kept := m.Attrs[:0]
	for _, a := range m.Attrs {
		if !iceKeys[a.Key] {
			kept = append(kept, a)
		}
	}
	m.Attrs = kept
	m.RTCPMux = true
	m.Attrs = append(m.Attrs, Attr{Key: "ice-ufrag", Value: ice.Ufrag}, Attr{Key: "ice-pwd", Value: ice.Pwd})
	for _, c := range ice.Candidates {
		m.Attrs = append(m.Attrs, Attr{Key: "candidate", Value: c.String()})
	}
	m.Attrs = append(m.Attrs, Attr{Key: "end-of-candidates"})
}

// SetDefaultCandidate makes the c= and m= lines of m name one of its candidates, as RFC 8839
// section 4.2.1.2 requires (peers such as baresip otherwise assume a middlebox rewrote the SDP
// and refuse ICE): the host candidate at local when offered, else the relay candidate of highest
// priority, else the best server-reflexive one. RTCP is muxed on the same address.
func SetDefaultCandidate(m *Media, ice ICE, local netip.AddrPort) {
	var best *ICECandidate
	rank := map[string]int{CandRelay: 2, CandSrflx: 1}
	for i := range ice.Candidates {
		c := &ice.Candidates[i]
		ap, ok := c.AddrPort()
		if !ok || c.Component != 1 {
			continue
		}
		if c.Type == CandHost && ap == local {
			return // the default already is a candidate
		}
		if rank[c.Type] > 0 && (best == nil || rank[c.Type] > rank[best.Type] ||
			rank[c.Type] == rank[best.Type] && c.Priority > best.Priority) {
			best = c
		}
	}
	if best == nil {
		return
	}
	ap, _ := best.AddrPort()
	m.Addr, m.Port, m.RTCPPort, m.RTCPAddr = ap.Addr(), int(ap.Port()), int(ap.Port()), netip.Addr{}
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 0 || p > 65535 {
		return 0, fmt.Errorf("%w: port %q", ErrMalformed, s)
	}
	return p, nil
}

// isICEToken checks RFC 8839 ice-char (ALPHA / DIGIT / "+" / "/") and a length range.
func isICEToken(s string, minLen, maxLen int) bool {
	return len(s) >= minLen && len(s) <= maxLen && alnumOr(s, "+/")
}

// isToken checks a short printable word without control characters.
func isToken(s string) bool {
	if s == "" || len(s) > maxICEToken {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// isAddrToken accepts an IP address or a host name (mDNS candidates).
func isAddrToken(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	return s != "" && len(s) <= 253 && alnumOr(s, "-.")
}

// alnumOr reports whether every byte of s is an ASCII letter, a digit or one of extra.
func alnumOr(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && strings.IndexByte(extra, c) < 0 {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
