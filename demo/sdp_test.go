package demo

import (
	"encoding/base64"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The key of RFC 4568 §4's example line (30 bytes: AES_CM_128_HMAC_SHA1_80).
const rfc4568Key = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"

func TestParseSDP(t *testing.T) {
	baresip := "v=0\r\no=- 1234 5678 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
		"m=audio 10000 RTP/SAVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n" +
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + rfc4568Key + "|2^20|1:4\r\n" + // MKI: skipped
		"a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:" + rfc4568Key + "|2^20\r\n" +
		"a=crypto:3 F8_128_HMAC_SHA1_80 inline:" + rfc4568Key + "\r\n" + // unknown suite: skipped
		"a=sendonly\r\n"
	tests := []struct {
		name     string
		sdp      string
		wantErr  bool
		addr     string
		codec    uint8
		proto    string
		tags     []int
		dir      direction
		eventPT  int
		hasCodec bool
	}{
		{name: "baresip-like SAVP offer", sdp: baresip, addr: "127.0.0.1:10000", codec: ptPCMA, hasCodec: true,
			proto: "RTP/SAVP", tags: []int{2}, dir: dirSendOnly, eventPT: 101},
		{name: "session-level connection and direction, LF only",
			sdp:  "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\na=inactive\nm=audio 4000 RTP/AVP 0\n",
			addr: "127.0.0.1:4000", codec: ptPCMU, hasCodec: true, proto: "RTP/AVP", dir: dirInactive, eventPT: -1},
		{name: "media connection overrides session",
			sdp:  "v=0\r\nc=IN IP4 10.1.1.1\r\nm=audio 5000 RTP/SAVP 0\r\nc=IN IP4 127.0.0.2\r\n",
			addr: "127.0.0.2:5000", codec: ptPCMU, hasCodec: true, proto: "RTP/SAVP", dir: dirSendRecv, eventPT: -1},
		{name: "only the first audio stream counts",
			sdp: "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 6000 RTP/AVP 96\r\na=recvonly\r\nm=audio 5000 RTP/SAVP 0\r\n" +
				"m=audio 7000 RTP/SAVP 8\r\na=inactive\r\n",
			addr: "127.0.0.1:5000", codec: ptPCMU, hasCodec: true, proto: "RTP/SAVP", dir: dirSendRecv, eventPT: -1},
		{name: "no G.711", sdp: "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/SAVP 9 18\r\n",
			addr: "127.0.0.1:5000", proto: "RTP/SAVP", dir: dirSendRecv, eventPT: -1},
		{name: "no audio", sdp: "v=0\r\nc=IN IP4 127.0.0.1\r\nm=video 5000 RTP/AVP 96\r\n", wantErr: true},
		{name: "no connection", sdp: "v=0\r\nm=audio 5000 RTP/AVP 0\r\n", wantErr: true},
		{name: "bad port", sdp: "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 70000 RTP/AVP 0\r\n", wantErr: true},
		{name: "bad payload type", sdp: "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/AVP 0 300\r\n", wantErr: true},
		{name: "bad address", sdp: "v=0\r\nc=IN IP4 not-an-ip\r\nm=audio 5000 RTP/AVP 0\r\n", wantErr: true},
		{name: "empty", sdp: "", wantErr: true},
		{name: "too large", sdp: "v=0\r\n" + strings.Repeat("a=x\r\n", maxSDPSize/4), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseSDP([]byte(tc.sdp))
			if tc.wantErr {
				require.ErrorIs(t, err, ErrSDP)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, netip.MustParseAddrPort(tc.addr), m.addr)
			assert.Equal(t, tc.proto, m.proto)
			assert.Equal(t, tc.dir, m.dir)
			assert.Equal(t, tc.eventPT, m.eventPT)
			pt, ok := m.codec()
			assert.Equal(t, tc.hasCodec, ok)
			if ok {
				assert.Equal(t, tc.codec, pt)
			}
			var tags []int
			for _, c := range m.crypto {
				tags = append(tags, c.tag)
			}
			assert.Equal(t, tc.tags, tags)
		})
	}
}

func TestParseCryptoKey(t *testing.T) {
	c, ok := parseCrypto("2 AES_CM_128_HMAC_SHA1_80 inline:" + rfc4568Key + "|2^20")
	require.True(t, ok)
	want, err := base64.StdEncoding.DecodeString(rfc4568Key)
	require.NoError(t, err)
	assert.Equal(t, want, c.key)
	assert.Equal(t, "AES_CM_128_HMAC_SHA1_80", c.suite.name)

	for _, bad := range []string{
		"", "1", "x AES_CM_128_HMAC_SHA1_80 inline:" + rfc4568Key,
		"1 AES_CM_128_HMAC_SHA1_80 " + rfc4568Key,
		"1 AES_CM_128_HMAC_SHA1_80 inline:AAAA",   // wrong length
		"1 AEAD_AES_128_GCM inline:" + rfc4568Key, // 30 bytes, GCM needs 28
		"1 AES_CM_128_HMAC_SHA1_80 inline:" + rfc4568Key + "|2^20|1:4",
	} {
		_, ok := parseCrypto(bad)
		assert.False(t, ok, bad)
	}
}

func TestDirectionAnswer(t *testing.T) {
	tests := []struct{ offer, answer direction }{
		{dirSendRecv, dirSendRecv}, {dirSendOnly, dirRecvOnly}, {dirRecvOnly, dirSendOnly}, {dirInactive, dirInactive},
	}
	for _, tc := range tests {
		t.Run(tc.offer.String(), func(t *testing.T) {
			assert.Equal(t, tc.answer, tc.offer.answer())
		})
	}
}

func TestOfferAnswerRoundTrip(t *testing.T) {
	for _, s := range suites[:2] {
		t.Run(s.name, func(t *testing.T) {
			caller, err := newStream(testLogger(t), modeTone, newSine(440, 1000))
			require.NoError(t, err)
			defer caller.close()
			callee, err := newStream(testLogger(t), modeEcho, nil)
			require.NoError(t, err)
			defer callee.close()

			offer := caller.offer()
			// Make the callee choose suite s by offering only that line.
			var lines []string
			for _, l := range strings.Split(string(offer), "\r\n") {
				if strings.HasPrefix(l, "a=crypto:") && !strings.Contains(l, " "+s.name+" ") {
					continue
				}
				lines = append(lines, l)
			}
			answer, err := callee.answer([]byte(strings.Join(lines, "\r\n")))
			require.NoError(t, err)
			require.NoError(t, caller.setAnswer(answer))
			assert.Contains(t, string(answer), s.name)
			assert.Equal(t, s.name, caller.local.suite.name)
			assert.Equal(t, caller.local.key, callee.rxAttr.key, "callee decrypts with the caller's key")
			assert.Equal(t, callee.local.key, caller.rxAttr.key, "caller decrypts with the callee's key")
		})
	}
}

func TestAnswerRefusesPlainRTP(t *testing.T) {
	st, err := newStream(testLogger(t), modeEcho, nil)
	require.NoError(t, err)
	defer st.close()
	_, err = st.answer([]byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/AVP 0\r\n"))
	assert.ErrorIs(t, err, ErrNoCrypto)
	_, err = st.answer([]byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/SAVP 0\r\n"))
	assert.ErrorIs(t, err, ErrNoCrypto)
	_, err = st.answer([]byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/SAVP 9\r\n"))
	assert.ErrorIs(t, err, ErrSDP)
}

func FuzzParseSDP(f *testing.F) {
	f.Add([]byte("v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 5000 RTP/SAVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n" +
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + rfc4568Key + "\r\na=sendonly\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseSDP(b)
		if err != nil {
			return
		}
		for _, c := range m.crypto {
			if len(c.key) != c.suite.keyLen {
				t.Fatalf("key of %d bytes for %s", len(c.key), c.suite.name)
			}
		}
		pt, ok := m.codec()
		if !ok || !m.addr.Addr().Is4() {
			return
		}
		// What we would answer must parse back to the same parameters.
		out := buildSDP(sdpParams{addr: m.addr, payloads: []uint8{pt}, eventPT: m.eventPT, crypto: m.crypto, dir: m.dir.answer()})
		back, err := parseSDP(out)
		if err != nil {
			t.Fatalf("our own SDP does not parse: %v\n%s", err, out)
		}
		if back.addr != m.addr || back.dir != m.dir.answer() || len(back.crypto) != len(m.crypto) {
			t.Fatalf("round trip changed the description:\n%s", out)
		}
	})
}
