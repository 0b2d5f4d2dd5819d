package sip_test

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"regexp"
	"testing"
	"time"
)

// rtpPort binds a UDP port for the duration of the test, so that the far
// end's RTP has somewhere to go (media is not checked here).
func rtpPort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.LocalAddr().(*net.UDPAddr).Port
}

func sdesKey(t testing.TB) string {
	k := make([]byte, 30) // 16-byte key + 14-byte salt, RFC 4568 §6.1
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(k)
}

// testOffer is a minimal SRTP audio offer: PCMU/PCMA, telephone-event and
// one AES_CM_128_HMAC_SHA1_80 key. dir is sendrecv, sendonly, ….
func testOffer(t testing.TB, port int, dir string) []byte {
	return fmt.Appendf(nil, "v=0\r\n"+
		"o=- %d 1 IN IP4 127.0.0.1\r\n"+
		"s=-\r\n"+
		"c=IN IP4 127.0.0.1\r\n"+
		"t=0 0\r\n"+
		"m=audio %d RTP/SAVP 0 8 101\r\n"+
		"a=rtpmap:0 PCMU/8000\r\n"+
		"a=rtpmap:8 PCMA/8000\r\n"+
		"a=rtpmap:101 telephone-event/8000\r\n"+
		"a=fmtp:101 0-15\r\n"+
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n"+
		"a=ptime:20\r\n"+
		"a=%s\r\n", time.Now().UnixNano()%1e9, port, sdesKey(t), dir)
}

var cryptoRe = regexp.MustCompile(`(?m)^a=crypto:(\d+) (\S+) `)

// testAnswer answers an SRTP offer with the offer's first crypto tag and
// suite and PCMU.
func testAnswer(t testing.TB, offer []byte, port int) []byte {
	t.Helper()
	m := cryptoRe.FindSubmatch(offer)
	if m == nil {
		t.Fatalf("offer has no a=crypto line:\n%s", offer)
	}
	return fmt.Appendf(nil, "v=0\r\n"+
		"o=- %d 1 IN IP4 127.0.0.1\r\n"+
		"s=-\r\n"+
		"c=IN IP4 127.0.0.1\r\n"+
		"t=0 0\r\n"+
		"m=audio %d RTP/SAVP 0 101\r\n"+
		"a=rtpmap:0 PCMU/8000\r\n"+
		"a=rtpmap:101 telephone-event/8000\r\n"+
		"a=fmtp:101 0-15\r\n"+
		"a=crypto:%s %s inline:%s\r\n"+
		"a=ptime:20\r\n"+
		"a=sendrecv\r\n", time.Now().UnixNano()%1e9, port, m[1], m[2], sdesKey(t))
}
