package sdp

import (
	"net/netip"
	"testing"
)

// FuzzParse checks that Parse and the offer/answer code never panic and that whatever parses
// also survives a Marshal/Parse round trip.
func FuzzParse(f *testing.F) {
	f.Add([]byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			return
		}
		if _, err := Parse(s.Marshal()); err != nil {
			t.Fatalf("re-parse of marshalled SDP failed: %v\n%s", err, s.Marshal())
		}
		l := Local{Addr: netip.MustParseAddr("127.0.0.1"), Port: 4000, Codecs: []string{"PCMA", "PCMU"},
			Crypto: []Crypto{{Tag: 1, Suite: SuiteAEADAES128GCM, Key: make([]byte, 28)}}}
		_, _, _ = BuildAnswer(s, l)
		offer, err := BuildOffer(l)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = ApplyAnswer(offer, s, l)
	})
}
