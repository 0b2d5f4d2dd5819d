package sdp

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

const iceOffer = "v=0\r\no=- 1 1 IN IP4 198.18.0.2\r\ns=-\r\nc=IN IP4 198.19.0.1\r\nt=0 0\r\n" +
	"a=ice-lite\r\n" +
	"m=audio 40000 RTP/AVP 0\r\na=rtcp-mux\r\n" +
	"a=ice-ufrag:Ab3+\r\na=ice-pwd:abcdefghijklmnopqrstuv/+\r\n" +
	"a=candidate:1 1 UDP 2130706431 198.18.0.2 40000 typ host\r\n" +
	"a=candidate:2 1 UDP 1694498815 198.19.0.1 40000 typ srflx raddr 198.18.0.2 rport 40000\r\n" +
	"a=candidate:3 1 tcp 1518280447 198.19.0.9 443 typ relay raddr 198.19.0.1 rport 51000 tcptype passive generation 0\r\n" +
	"a=candidate:4 1 UDP 2130706431 4b3c-aa.local 40002 typ host\r\n" +
	"a=candidate:bad one\r\n" +
	"a=end-of-candidates\r\n"

func TestMediaICEParsesCandidates(t *testing.T) {
	s, err := Parse([]byte(iceOffer))
	if err != nil {
		t.Fatal(err)
	}
	m := s.Audio()
	ice, ok := MediaICE(s, m)
	if !ok {
		t.Fatal("no ICE found")
	}
	if ice.Ufrag != "Ab3+" || ice.Pwd != "abcdefghijklmnopqrstuv/+" || !ice.Lite || !ice.EndOfCandidates || !m.RTCPMux {
		t.Fatalf("ice = %+v, rtcp-mux %v", ice, m.RTCPMux)
	}
	if len(ice.Candidates) != 4 {
		t.Fatalf("got %d candidates, want 4 (the malformed one skipped)", len(ice.Candidates))
	}
	c := ice.Candidates[1]
	if c.Type != CandSrflx || c.RelAddr != "198.18.0.2" || c.RelPort != 40000 || c.Priority != 1694498815 {
		t.Fatalf("srflx = %+v", c)
	}
	if ap, ok := c.AddrPort(); !ok || ap.String() != "198.19.0.1:40000" {
		t.Fatalf("AddrPort = %v %v", ap, ok)
	}
	r := ice.Candidates[2]
	if r.Type != CandRelay || r.Transport != "tcp" || strings.Join(r.Ext, " ") != "tcptype passive generation 0" {
		t.Fatalf("relay = %+v", r)
	}
	if _, ok := ice.Candidates[3].AddrPort(); ok {
		t.Fatal("an mDNS name is not an address")
	}
	for _, c := range ice.Candidates {
		back, err := ParseCandidate(c.String())
		if err != nil || back.String() != c.String() {
			t.Fatalf("round trip of %q: %q %v", c.String(), back.String(), err)
		}
	}
}

func TestMediaICESessionLevelCredentials(t *testing.T) {
	sdp := "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n" +
		"a=ice-ufrag:sess\r\na=ice-pwd:0123456789012345678901\r\n" +
		"m=audio 4000 RTP/AVP 0\r\na=candidate:1 1 UDP 1 10.0.0.1 4000 typ host\r\n"
	s, err := Parse([]byte(sdp))
	if err != nil {
		t.Fatal(err)
	}
	ice, ok := MediaICE(s, s.Audio())
	if !ok || ice.Ufrag != "sess" || len(ice.Candidates) != 1 {
		t.Fatalf("ice = %+v ok=%v", ice, ok)
	}
}

func TestMediaICERejectsBadCredentials(t *testing.T) {
	for name, attrs := range map[string]string{
		"no ICE":        "",
		"short pwd":     "a=ice-ufrag:abcd\r\na=ice-pwd:short\r\na=candidate:1 1 UDP 1 10.0.0.1 4000 typ host\r\n",
		"short ufrag":   "a=ice-ufrag:ab\r\na=ice-pwd:0123456789012345678901\r\na=candidate:1 1 UDP 1 10.0.0.1 4000 typ host\r\n",
		"bad chars":     "a=ice-ufrag:ab;d\r\na=ice-pwd:0123456789012345678901\r\na=candidate:1 1 UDP 1 10.0.0.1 4000 typ host\r\n",
		"no candidates": "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n",
	} {
		s, err := Parse([]byte("v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n" + attrs))
		if err != nil {
			t.Fatal(err)
		}
		if ice, ok := MediaICE(s, s.Audio()); ok {
			t.Errorf("%s: accepted %+v", name, ice)
		}
	}
}

func TestParseCandidateRejects(t *testing.T) {
	for _, v := range []string{
		"",
		"1 1 UDP 2130706431 10.0.0.1 4000 typ", // no type
		"1 0 UDP 2130706431 10.0.0.1 4000 typ host",             // component 0
		"1 1 UDP 0 10.0.0.1 4000 typ host",                      // priority 0
		"1 1 UDP 4294967296 10.0.0.1 4000 typ host",             // priority beyond 32 bits
		"1 1 UDP 1 10.0.0.1 70000 typ host",                     // port
		"1 1 UDP 1 10.0.0.1 4000 type host",                     // keyword
		"1 1 UDP 1 10.0.0.1 4000 typ martian",                   // type
		"1 1 UDP 1 10.0.0.1 4000 typ srflx raddr x_y rport 1",   // raddr
		"1 1 UDP 1 10.0.0.1 4000 typ srflx raddr 1.2.3.4 rport", // dangling extension
		"f;o 1 UDP 1 10.0.0.1 4000 typ host",                    // foundation
		"1 1 UDP 1 evil/host 4000 typ host",                     // address
		strings.Repeat("a", 33) + " 1 UDP 1 10.0.0.1 4000 typ host",
	} {
		if c, err := ParseCandidate(v); err == nil || !errors.Is(err, ErrMalformed) {
			t.Errorf("ParseCandidate(%q) = %+v, %v; want ErrMalformed", v, c, err)
		}
	}
}

func TestSetICEMarshalsAndReplaces(t *testing.T) {
	m := Media{Type: "audio", Port: 4000, Proto: ProtoRTP, Codecs: []Codec{{PT: 0, Name: "PCMU", Rate: 8000}},
		Attrs: []Attr{{Key: "ice-ufrag", Value: "old1"}, {Key: "label", Value: "1"}, {Key: "candidate", Value: "old"}}}
	ice := ICE{Ufrag: "uFr4", Pwd: "0123456789012345678901", Candidates: []ICECandidate{
		{Foundation: "1", Component: 1, Transport: "udp", Priority: 2130706431, Addr: "127.0.0.1", Port: 4000, Type: CandHost},
		{Foundation: "2", Component: 1, Transport: "udp", Priority: 16777215, Addr: "127.0.0.1", Port: 50000, Type: CandRelay, RelAddr: "127.0.0.1", RelPort: 4000},
	}}
	SetICE(&m, ice)
	s := &Session{Origin: Origin{Address: "127.0.0.1"}, Media: []Media{m}}
	out := string(s.Marshal())
	for _, want := range []string{"a=rtcp-mux\r\n", "a=ice-ufrag:uFr4\r\n", "a=ice-pwd:0123456789012345678901\r\n",
		"a=candidate:2 1 udp 16777215 127.0.0.1 50000 typ relay raddr 127.0.0.1 rport 4000\r\n", "a=end-of-candidates\r\n", "a=label:1\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "old") {
		t.Errorf("old ICE attributes kept:\n%s", out)
	}
	back, err := Parse([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := MediaICE(back, back.Audio())
	if !ok || len(got.Candidates) != 2 || got.Candidates[1].String() != ice.Candidates[1].String() {
		t.Fatalf("round trip: %+v", got)
	}
}

// FuzzICE checks that hostile ICE attributes never panic and that whatever MediaICE accepts
// survives SetICE, Marshal and Parse unchanged.
func FuzzICE(f *testing.F) {
	f.Add([]byte(iceOffer))
	f.Add([]byte("v=0\r\nm=audio 1 RTP/AVP 0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\na=candidate:1 1 UDP 1 ::1 9 typ host raddr ::1 rport 0 x y\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil || s.Audio() == nil {
			return
		}
		ice, ok := MediaICE(s, s.Audio())
		if !ok {
			return
		}
		m := *s.Audio()
		m.Attrs = append([]Attr(nil), m.Attrs...)
		SetICE(&m, ice)
		s2 := &Session{Media: []Media{m}}
		back, err := Parse(s2.Marshal())
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, s2.Marshal())
		}
		got, ok := MediaICE(back, back.Audio())
		if !ok || got.Ufrag != ice.Ufrag || got.Pwd != ice.Pwd || len(got.Candidates) != len(ice.Candidates) {
			t.Fatalf("round trip changed ICE: %+v vs %+v", got, ice)
		}
		for i := range got.Candidates {
			if got.Candidates[i].String() != ice.Candidates[i].String() {
				t.Fatalf("candidate %d: %q vs %q", i, got.Candidates[i].String(), ice.Candidates[i].String())
			}
		}
	})
}

func TestSetDefaultCandidate(t *testing.T) {
	local := netip.MustParseAddrPort("198.18.0.2:4000")
	host := ICECandidate{Foundation: "1", Component: 1, Transport: "udp", Priority: 2130706431, Addr: "198.18.0.2", Port: 4000, Type: CandHost}
	srflx := ICECandidate{Foundation: "2", Component: 1, Transport: "udp", Priority: 1694498815, Addr: "198.19.0.1", Port: 5000, Type: CandSrflx, RelAddr: "198.18.0.2", RelPort: 4000}
	relay := ICECandidate{Foundation: "3", Component: 1, Transport: "udp", Priority: 16777215, Addr: "198.19.0.2", Port: 50000, Type: CandRelay, RelAddr: "198.19.0.1", RelPort: 6000}
	for _, tc := range []struct {
		name  string
		cands []ICECandidate
		want  string
	}{
		{"host offered: unchanged", []ICECandidate{host, srflx, relay}, "198.18.0.2:4000"},
		{"relay only", []ICECandidate{relay}, "198.19.0.2:50000"},
		{"relay before srflx", []ICECandidate{srflx, relay}, "198.19.0.2:50000"},
		{"srflx", []ICECandidate{srflx}, "198.19.0.1:5000"},
	} {
		m := Media{Type: "audio", Port: 4000, Addr: local.Addr(), RTCPPort: 4001}
		SetDefaultCandidate(&m, ICE{Candidates: tc.cands}, local)
		if got := netip.AddrPortFrom(m.Addr, uint16(m.Port)).String(); got != tc.want {
			t.Errorf("%s: default %s, want %s", tc.name, got, tc.want)
		}
		if m.Port != 4000 && m.RTCPPort != m.Port {
			t.Errorf("%s: a=rtcp %d, want the muxed %d", tc.name, m.RTCPPort, m.Port)
		}
	}
}
