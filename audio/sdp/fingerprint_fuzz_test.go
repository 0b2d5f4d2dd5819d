package sdp

import (
	"bytes"
	"testing"
)

// FuzzFingerprint checks that ParseFingerprint never panics on hostile input and that what it
// accepts survives a String/Parse round trip.
func FuzzFingerprint(f *testing.F) {
	for _, s := range []string{fp256, "sha-1 4A:AD", "SHA-512 " + "AB", "sha-256 :", "x y", "sha-256 6B:8B:F0:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		fp, err := ParseFingerprint(v)
		if err != nil {
			return
		}
		back, err := ParseFingerprint(fp.String())
		if err != nil {
			t.Fatalf("re-parse of %q (from %q) failed: %v", fp.String(), v, err)
		}
		if back.Hash != fp.Hash || !bytes.Equal(back.Value, fp.Value) {
			t.Fatalf("round trip changed %q into %q", fp.String(), back.String())
		}
		_, _ = fp.Matches([]byte(v))
	})
}

// FuzzDTLSOfferAnswer feeds hostile DTLS-SRTP offers and answers to the offer/answer code: it
// must never panic, and a DTLS result must always carry a fingerprint we can check.
func FuzzDTLSOfferAnswer(f *testing.F) {
	f.Add([]byte("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\na=setup:actpass\r\na=fingerprint:" + fp256 + "\r\nm=audio 4000 UDP/TLS/RTP/SAVPF 0\r\n"))
	f.Add([]byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 8\r\na=setup:holdconn\r\na=fingerprint:sha-1 00\r\n"))
	f.Add([]byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/SAVP 8\r\na=setup:active\r\na=fingerprint:" + fp256 + "\r\na=crypto:1 AEAD_AES_128_GCM inline:X/cDBiJRCn7OUNXCy/S5LMaeD8cmrGc6uoDjOw==\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			return
		}
		for _, kx := range []KeyExchange{KeyExchangeSDES, KeyExchangeDTLS, KeyExchangeBoth} {
			l := dtlsLocal(4000, kx, 0xAA)
			if _, res, err := BuildAnswer(s, l); err == nil {
				checkDTLSResult(t, res)
			}
			offer, err := BuildOffer(l)
			if err != nil {
				t.Fatal(err)
			}
			if res, err := ApplyAnswer(offer, s, l); err == nil {
				checkDTLSResult(t, res)
			}
		}
	})
}

func checkDTLSResult(t *testing.T, res Result) {
	if res.DTLS == nil {
		return
	}
	if res.SRTP != nil {
		t.Fatal("DTLS and SDES keys in one result")
	}
	if len(res.DTLS.Remote) == 0 {
		t.Fatal("DTLS result without a fingerprint")
	}
	for _, f := range res.DTLS.Remote {
		if !f.Supported() {
			t.Fatalf("DTLS result with an uncheckable fingerprint %s", f)
		}
	}
	if res.DTLS.Role != SetupActive && res.DTLS.Role != SetupPassive {
		t.Fatalf("DTLS role %q", res.DTLS.Role)
	}
}
