package sdp

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func key(n int, fill byte) []byte { return bytes.Repeat([]byte{fill}, n) }

func localFor(port int) Local {
	return Local{
		Addr: netip.MustParseAddr("127.0.0.1"), Port: port, SessionID: 7, Version: 1,
		Codecs: []string{"PCMA", "PCMU"},
		Crypto: []Crypto{
			{Tag: 1, Suite: SuiteAEADAES128GCM, Key: key(28, 1)},
			{Tag: 2, Suite: SuiteAESCM128HMACSHA180, Key: key(30, 2)},
		},
		RequireSRTP: true,
	}
}

func TestParseReal(t *testing.T) {
	tests := []struct {
		file       string
		addr       string
		port       int
		rtcp       int
		proto      string
		dir        Direction
		codecs     []string
		crypto     int
		ptime      int
		dtmfPT     uint8
		mediaCount int
	}{
		{"baresip_offer.sdp", "127.0.0.1", 49964, 0, ProtoSRTP, SendRecv, []string{"PCMU", "PCMA", "telephone-event"}, 1, 20, 101, 1},
		{"multi_suite_offer.sdp", "127.0.0.1", 10478, 0, ProtoSRTP, SendRecv, []string{"PCMU", "PCMA", "telephone-event"}, 4, 20, 101, 1},
		{"asterisk_offer.sdp", "192.0.2.10", 12534, 0, ProtoSRTP, SendRecv, []string{"PCMA", "PCMU", "GSM", "telephone-event"}, 1, 20, 101, 1},
		{"kamailio_passthrough.sdp", "2001:db8::1", 49170, 49175, ProtoRTP, RecvOnly, []string{"opus", "PCMU", "telephone-event"}, 0, 0, 97, 2},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, err := Parse(readFile(t, tt.file))
			require.NoError(t, err)
			require.Len(t, s.Media, tt.mediaCount)
			m := s.Audio()
			require.NotNil(t, m)
			assert.Equal(t, tt.addr, s.ConnAddr(m).String())
			assert.Equal(t, tt.port, m.Port)
			assert.Equal(t, tt.rtcp, m.RTCPPort)
			assert.Equal(t, tt.proto, m.Proto)
			assert.Equal(t, tt.dir, s.MediaDirection(m))
			assert.Equal(t, tt.ptime, m.Ptime)
			var names []string
			for _, c := range m.Codecs {
				names = append(names, c.Name)
				if c.Name == "telephone-event" {
					assert.Equal(t, tt.dtmfPT, c.PT)
				}
			}
			assert.Equal(t, tt.codecs, names)
			assert.Len(t, m.Crypto, tt.crypto)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]string{
		"empty":         "",
		"no version":    "o=- 1 1 IN IP4 1.2.3.4\r\n",
		"bad version":   "v=1\r\n",
		"garbage line":  "v=0\r\nhello\r\n",
		"bad origin":    "v=0\r\no=- 1\r\n",
		"bad conn":      "v=0\r\nc=IN IPX 1.2.3.4\r\n",
		"short m":       "v=0\r\nm=audio 1\r\n",
		"bad port":      "v=0\r\nm=audio 70000 RTP/AVP 0\r\n",
		"bad pt":        "v=0\r\nm=audio 1000 RTP/AVP 300\r\n",
		"bad rtpmap":    "v=0\r\nm=audio 1000 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n",
		"bad ptime":     "v=0\r\nm=audio 1000 RTP/AVP 0\r\na=ptime:x\r\n",
		"bad rtcp":      "v=0\r\nm=audio 1000 RTP/AVP 0\r\na=rtcp:99999\r\n",
		"bad portcount": "v=0\r\nm=audio 1000/x RTP/AVP 0\r\n",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(in))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrMalformed)
		})
	}
}

func TestCryptoParse(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		ok     bool
		keyLen int
	}{
		{"aes cm", "1 AES_CM_128_HMAC_SHA1_80 inline:bUwpY9D4sQvSGMUN2wZ+W5hh5aYVJ9j1q4pWfIk+", true, 30},
		{"aes cm lifetime", "1 AES_CM_128_HMAC_SHA1_80 inline:bUwpY9D4sQvSGMUN2wZ+W5hh5aYVJ9j1q4pWfIk+|2^31", true, 30},
		{"gcm", "3 AEAD_AES_128_GCM inline:X/cDBiJRCn7OUNXCy/S5LMaeD8cmrGc6uoDjOw==", true, 28},
		{"gcm unpadded", "3 AEAD_AES_128_GCM inline:X/cDBiJRCn7OUNXCy/S5LMaeD8cmrGc6uoDjOw", true, 28},
		{"gcm with cm key length", "3 AEAD_AES_128_GCM inline:bUwpY9D4sQvSGMUN2wZ+W5hh5aYVJ9j1q4pWfIk+", false, 0},
		{"mki", "1 AES_CM_128_HMAC_SHA1_80 inline:bUwpY9D4sQvSGMUN2wZ+W5hh5aYVJ9j1q4pWfIk+|2^20|1:4", false, 0},
		{"not inline", "1 AES_CM_128_HMAC_SHA1_80 uri:foo", false, 0},
		{"bad base64", "1 AES_CM_128_HMAC_SHA1_80 inline:!!!!", false, 0},
		{"short", "1 AES_CM_128_HMAC_SHA1_80", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCrypto(tt.in)
			if !tt.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Len(t, c.Key, tt.keyLen)
			back, err := ParseCrypto(c.String())
			require.NoError(t, err)
			assert.Equal(t, c, back)
		})
	}
}

func TestAnswerDirection(t *testing.T) {
	tests := []struct {
		offer, local, want Direction
	}{
		{SendRecv, SendRecv, SendRecv},
		{SendOnly, SendRecv, RecvOnly},
		{RecvOnly, SendRecv, SendOnly},
		{Inactive, SendRecv, Inactive},
		{SendRecv, SendOnly, SendOnly},
		{SendOnly, SendOnly, Inactive},
		{SendRecv, Inactive, Inactive},
		{RecvOnly, RecvOnly, Inactive},
	}
	for _, tt := range tests {
		t.Run(tt.offer.String()+"/"+tt.local.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, AnswerDirection(tt.offer, tt.local))
		})
	}
}

func TestOfferAnswerRoundTrip(t *testing.T) {
	tests := []struct {
		name       string
		offerer    func(*Local)
		answerer   func(*Local)
		wantSuite  string // "" = plain
		wantCodec  string
		wantErr    error
		wantOffDir Direction
		wantAnsDir Direction
	}{
		{name: "gcm preferred", wantSuite: SuiteAEADAES128GCM, wantCodec: "PCMA", wantOffDir: SendRecv, wantAnsDir: SendRecv},
		{name: "answerer only aes cm", answerer: func(l *Local) { l.Crypto = l.Crypto[1:] },
			wantSuite: SuiteAESCM128HMACSHA180, wantCodec: "PCMA", wantOffDir: SendRecv, wantAnsDir: SendRecv},
		{name: "answerer prefers aes cm", answerer: func(l *Local) { l.Crypto[0], l.Crypto[1] = l.Crypto[1], l.Crypto[0] },
			wantSuite: SuiteAESCM128HMACSHA180, wantCodec: "PCMA", wantOffDir: SendRecv, wantAnsDir: SendRecv},
		{name: "pcmu only answerer", answerer: func(l *Local) { l.Codecs = []string{"PCMU"} },
			wantSuite: SuiteAEADAES128GCM, wantCodec: "PCMU", wantOffDir: SendRecv, wantAnsDir: SendRecv},
		{name: "no common codec", offerer: func(l *Local) { l.Codecs = []string{"PCMU"} },
			answerer: func(l *Local) { l.Codecs = []string{"PCMA"} }, wantErr: ErrNoCommonCodec},
		{name: "hold", offerer: func(l *Local) { l.Direction = SendOnly },
			wantSuite: SuiteAEADAES128GCM, wantCodec: "PCMA", wantOffDir: SendOnly, wantAnsDir: RecvOnly},
		{name: "inactive", offerer: func(l *Local) { l.Direction = Inactive },
			wantSuite: SuiteAEADAES128GCM, wantCodec: "PCMA", wantOffDir: Inactive, wantAnsDir: Inactive},
		{name: "best effort to plain answerer", offerer: func(l *Local) { l.RequireSRTP = false },
			answerer:  func(l *Local) { l.RequireSRTP = false; l.Crypto = nil },
			wantSuite: "", wantCodec: "PCMA", wantOffDir: SendRecv, wantAnsDir: SendRecv},
		{name: "plain offer refused", offerer: func(l *Local) { l.RequireSRTP = false; l.Crypto = nil },
			wantErr: ErrNoCrypto},
		{name: "no common suite", offerer: func(l *Local) { l.Crypto = l.Crypto[:1] },
			answerer: func(l *Local) { l.Crypto = l.Crypto[1:] }, wantErr: ErrNoCrypto},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, la := localFor(4000), localFor(5000)
			la.Crypto = []Crypto{
				{Tag: 1, Suite: SuiteAEADAES128GCM, Key: key(28, 3)},
				{Tag: 2, Suite: SuiteAESCM128HMACSHA180, Key: key(30, 4)},
			}
			if tt.offerer != nil {
				tt.offerer(&lo)
			}
			if tt.answerer != nil {
				tt.answerer(&la)
			}
			offer, err := BuildOffer(lo)
			require.NoError(t, err)
			// Through the wire format, as in real life.
			offerP, err := Parse(offer.Marshal())
			require.NoError(t, err)
			ans, ra, err := BuildAnswer(offerP, la)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			ansP, err := Parse(ans.Marshal())
			require.NoError(t, err)
			ro, err := ApplyAnswer(offerP, ansP, lo)
			require.NoError(t, err)

			assert.Equal(t, tt.wantCodec, ro.Codec.Name)
			assert.Equal(t, tt.wantCodec, ra.Codec.Name)
			assert.Equal(t, tt.wantOffDir, ro.Direction)
			assert.Equal(t, tt.wantAnsDir, ra.Direction)
			assert.Equal(t, "127.0.0.1:5000", ro.Remote.String())
			assert.Equal(t, "127.0.0.1:5001", ro.RemoteRTCP.String())
			assert.Equal(t, "127.0.0.1:4000", ra.Remote.String())
			assert.Equal(t, "127.0.0.1:4001", ra.RemoteRTCP.String())
			assert.Equal(t, 101, ro.DTMFSendPT)
			assert.Equal(t, 101, ra.DTMFRecvPT)
			if tt.wantSuite == "" {
				assert.Nil(t, ro.SRTP)
				assert.Nil(t, ra.SRTP)
				return
			}
			require.NotNil(t, ro.SRTP)
			require.NotNil(t, ra.SRTP)
			assert.Equal(t, tt.wantSuite, ro.SRTP.Suite)
			assert.Equal(t, tt.wantSuite, ra.SRTP.Suite)
			// Keys cross over: what one sends with is what the other receives with.
			assert.Equal(t, ro.SRTP.LocalKey, ra.SRTP.RemoteKey)
			assert.Equal(t, ra.SRTP.LocalKey, ro.SRTP.RemoteKey)
			assert.Len(t, ro.SRTP.LocalKey, SuiteKeyLen(tt.wantSuite))
		})
	}
}

func TestAnswerRealOffers(t *testing.T) {
	tests := []struct {
		file     string
		require  bool
		wantErr  error
		suite    string
		codec    string
		dtmf     int
		remote   string
		ourDir   Direction
		rejected int
	}{
		{file: "baresip_offer.sdp", require: true, suite: SuiteAESCM128HMACSHA180, codec: "PCMU", dtmf: 101, remote: "127.0.0.1:49964", ourDir: SendRecv},
		{file: "multi_suite_offer.sdp", require: true, suite: SuiteAEADAES128GCM, codec: "PCMU", dtmf: 101, remote: "127.0.0.1:10478", ourDir: SendRecv},
		{file: "asterisk_offer.sdp", require: true, suite: SuiteAESCM128HMACSHA180, codec: "PCMA", dtmf: 101, remote: "192.0.2.10:12534", ourDir: SendRecv},
		{file: "kamailio_passthrough.sdp", require: true, wantErr: ErrNoCrypto},
		{file: "kamailio_passthrough.sdp", require: false, codec: "PCMU", dtmf: 97, remote: "[2001:db8::1]:49170", ourDir: SendOnly, rejected: 1},
		{file: "old_style_hold.sdp", require: true, suite: SuiteAESCM128HMACSHA180, codec: "PCMA", dtmf: 101, remote: "0.0.0.0:12534", ourDir: RecvOnly},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			offer, err := Parse(readFile(t, tt.file))
			require.NoError(t, err)
			l := localFor(6000)
			l.RequireSRTP = tt.require
			ans, res, err := BuildAnswer(offer, l)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.codec, res.Codec.Name)
			assert.Equal(t, tt.dtmf, res.DTMFSendPT)
			assert.Equal(t, tt.remote, res.Remote.String())
			assert.Equal(t, tt.ourDir, res.Direction)
			require.Len(t, ans.Media, len(offer.Media))
			rej := 0
			for _, m := range ans.Media {
				if m.Port == 0 {
					rej++
				}
			}
			assert.Equal(t, tt.rejected, rej)
			if tt.suite != "" {
				require.NotNil(t, res.SRTP)
				assert.Equal(t, tt.suite, res.SRTP.Suite)
				assert.Contains(t, string(ans.Marshal()), "a=crypto:")
				assert.Contains(t, string(ans.Marshal()), tt.suite)
			} else {
				assert.Nil(t, res.SRTP)
			}
		})
	}
}

func TestApplyAnswerErrors(t *testing.T) {
	lo := localFor(4000)
	offer, err := BuildOffer(lo)
	require.NoError(t, err)
	base := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	tests := map[string]struct {
		ans  string
		want error
	}{
		"rejected":      {base + "m=audio 0 RTP/SAVP 8\r\n", ErrRejected},
		"no crypto":     {base + "m=audio 5000 RTP/SAVP 8\r\n", ErrNoCrypto},
		"plain answer":  {base + "m=audio 5000 RTP/AVP 8\r\n", ErrNoCrypto},
		"wrong tag":     {base + "m=audio 5000 RTP/SAVP 8\r\na=crypto:9 AEAD_AES_128_GCM inline:X/cDBiJRCn7OUNXCy/S5LMaeD8cmrGc6uoDjOw==\r\n", ErrCryptoMismatch},
		"unencrypted":   {base + "m=audio 5000 RTP/SAVP 8\r\na=crypto:1 AEAD_AES_128_GCM inline:X/cDBiJRCn7OUNXCy/S5LMaeD8cmrGc6uoDjOw== UNENCRYPTED_SRTP\r\n", ErrCryptoMismatch},
		"unknown codec": {base + "m=audio 5000 RTP/SAVP 3\r\na=crypto:1 AEAD_AES_128_GCM inline:X/cDBiJRCn7OUNXCy/S5LMaeD8cmrGc6uoDjOw==\r\n", ErrNoCommonCodec},
		"no audio":      {base + "m=video 5000 RTP/SAVP 31\r\n", ErrNoAudio},
		"no address":    {"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 8\r\na=crypto:1 AEAD_AES_128_GCM inline:X/cDBiJRCn7OUNXCy/S5LMaeD8cmrGc6uoDjOw==\r\n", ErrNoAddress},
		"empty answer":  {base, ErrNoAudio},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			a, err := Parse([]byte(tt.ans))
			require.NoError(t, err)
			_, err = ApplyAnswer(offer, a, lo)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.want), "got %v want %v", err, tt.want)
		})
	}
}

func TestMarshalParseStable(t *testing.T) {
	for _, f := range []string{"baresip_offer.sdp", "multi_suite_offer.sdp", "asterisk_offer.sdp", "kamailio_passthrough.sdp", "old_style_hold.sdp"} {
		t.Run(f, func(t *testing.T) {
			s, err := Parse(readFile(t, f))
			require.NoError(t, err)
			out := s.Marshal()
			s2, err := Parse(out)
			require.NoError(t, err)
			assert.Equal(t, string(out), string(s2.Marshal()))
		})
	}
}

// baresip 1.0.0's real answer to our GCM-first offer.
func TestApplyBaresipAnswer(t *testing.T) {
	lo := localFor(4000)
	offer, err := BuildOffer(lo)
	require.NoError(t, err)
	ans, err := Parse(readFile(t, "baresip_answer_gcm.sdp"))
	require.NoError(t, err)
	res, err := ApplyAnswer(offer, ans, lo)
	require.NoError(t, err)
	require.NotNil(t, res.SRTP)
	assert.Equal(t, SuiteAEADAES128GCM, res.SRTP.Suite)
	assert.Equal(t, lo.Crypto[0].Key, res.SRTP.LocalKey)
	assert.Len(t, res.SRTP.RemoteKey, 28)
	assert.Equal(t, "PCMA", res.Codec.Name)
	assert.Equal(t, "127.0.0.1:40576", res.Remote.String())
	assert.Equal(t, "127.0.0.1:40577", res.RemoteRTCP.String())
	assert.Equal(t, 101, res.DTMFSendPT)
	assert.Equal(t, SendRecv, res.Direction)
}
