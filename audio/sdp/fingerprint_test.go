package sdp

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const fp256 = "sha-256 6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08"

func TestParseFingerprint(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		ok        bool
		supported bool
	}{
		{"sha-256", fp256, true, true},
		{"upper-case name, lower-case hex", "SHA-256 " + strings.ToLower(fp256[8:]), true, true},
		{"sha-1 parses but is refused", "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB", true, false},
		{"sha-256 of the wrong length", "sha-256 6B:8B:F0", false, false},
		{"bad hex", "sha-256 6B:8G:F0", false, false},
		{"single digits", "sha-256 6:8B", false, false},
		{"trailing colon", "sha-256 6B:", false, false},
		{"no value", "sha-256", false, false},
		{"empty", "", false, false},
		{"too long", "sha-256 " + strings.Repeat("AB:", 200) + "AB", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFingerprint(tt.in)
			if !tt.ok {
				require.ErrorIs(t, err, ErrBadFingerprint)
				require.ErrorIs(t, err, ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.supported, f.Supported())
			back, err := ParseFingerprint(f.String())
			require.NoError(t, err)
			assert.Equal(t, f, back)
		})
	}
}

func TestFingerprintMatches(t *testing.T) {
	der := []byte("a certificate, in DER")
	f := FingerprintOf(der)
	sum := sha256.Sum256(der)
	assert.Equal(t, sum[:], f.Value)
	ok, err := f.Matches(der)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = f.Matches([]byte("another certificate"))
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = Fingerprint{Hash: "sha-1", Value: make([]byte, 20)}.Matches(der)
	assert.ErrorIs(t, err, ErrUnsupportedHash)
}

func TestParseKeyExchange(t *testing.T) {
	for _, k := range []KeyExchange{KeyExchangeSDES, KeyExchangeDTLS, KeyExchangeBoth} {
		back, err := ParseKeyExchange(k.String())
		require.NoError(t, err)
		assert.Equal(t, k, back)
	}
	_, err := ParseKeyExchange("zrtp")
	assert.Error(t, err)
	assert.True(t, KeyExchange(0).SDES(), "zero value is SDES only")
	assert.False(t, KeyExchange(0).DTLS())
}

// dtlsLocal is localFor with a key exchange and a certificate fingerprint of fill.
func dtlsLocal(port int, kx KeyExchange, fill byte) Local {
	l := localFor(port)
	l.KeyExchange = kx
	l.Fingerprint = Fingerprint{Hash: "sha-256", Value: bytes.Repeat([]byte{fill}, 32)}
	return l
}

func attrVal(m *Media, key string) string {
	for _, a := range m.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

func TestOfferKeyExchange(t *testing.T) {
	tests := []struct {
		kx       KeyExchange
		proto    string
		crypto   int
		hasFP    bool
		plainRTP bool
	}{
		{KeyExchangeSDES, ProtoSRTP, 2, false, false},
		{KeyExchangeDTLS, ProtoDTLSSRTP, 0, true, false},
		{KeyExchangeBoth, ProtoSRTP, 2, true, false},
		{KeyExchangeDTLS, ProtoDTLSSRTP, 0, true, true}, // DTLS always encrypts
	}
	for _, tt := range tests {
		t.Run(tt.kx.String(), func(t *testing.T) {
			l := dtlsLocal(4000, tt.kx, 0xAA)
			l.RequireSRTP = !tt.plainRTP
			o, err := BuildOffer(l)
			require.NoError(t, err)
			back, err := Parse(o.Marshal())
			require.NoError(t, err)
			m := back.Audio()
			assert.Equal(t, tt.proto, m.Proto)
			assert.Len(t, m.Crypto, tt.crypto)
			fps, bad := back.Fingerprints(m)
			assert.Zero(t, bad)
			if !tt.hasFP {
				assert.Empty(t, fps)
				return
			}
			require.Len(t, fps, 1)
			assert.Equal(t, l.Fingerprint, fps[0])
			assert.Equal(t, SetupActPass, back.SetupOf(m))
		})
	}
	t.Run("dtls without certificate", func(t *testing.T) {
		l := localFor(4000)
		l.KeyExchange = KeyExchangeDTLS
		_, err := BuildOffer(l)
		assert.ErrorIs(t, err, ErrNoCrypto)
	})
}

// TestAnswerMatrix answers each kind of peer offer under each policy.
func TestAnswerMatrix(t *testing.T) {
	peer := func(kx KeyExchange) *Session {
		o, err := BuildOffer(dtlsLocal(5000, kx, 0xBB))
		require.NoError(t, err)
		s, err := Parse(o.Marshal())
		require.NoError(t, err)
		return s
	}
	tests := []struct {
		name  string
		ours  KeyExchange
		offer *Session
		want  string // "sdes", "dtls" or "" for a refusal
	}{
		{"sdes policy, sdes-only peer", KeyExchangeSDES, peer(KeyExchangeSDES), "sdes"},
		{"sdes policy, dtls-only peer", KeyExchangeSDES, peer(KeyExchangeDTLS), ""},
		{"sdes policy, peer offers both", KeyExchangeSDES, peer(KeyExchangeBoth), "sdes"},
		{"dtls policy, sdes-only peer", KeyExchangeDTLS, peer(KeyExchangeSDES), ""},
		{"dtls policy, dtls-only peer", KeyExchangeDTLS, peer(KeyExchangeDTLS), "dtls"},
		{"dtls policy, peer offers both", KeyExchangeDTLS, peer(KeyExchangeBoth), "dtls"},
		{"both, sdes-only peer", KeyExchangeBoth, peer(KeyExchangeSDES), "sdes"},
		{"both, dtls-only peer", KeyExchangeBoth, peer(KeyExchangeDTLS), "dtls"},
		{"both, peer offers both", KeyExchangeBoth, peer(KeyExchangeBoth), "dtls"},
		{"both, baresip dtls_srtp offer", KeyExchangeBoth, mustParse(t, readFile(t, "baresip_dtls_offer.sdp")), "dtls"},
		{"sdes, baresip dtls_srtp offer", KeyExchangeSDES, mustParse(t, readFile(t, "baresip_dtls_offer.sdp")), ""},
		{"dtls, baresip srtp offer", KeyExchangeDTLS, mustParse(t, readFile(t, "baresip_offer.sdp")), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := dtlsLocal(4000, tt.ours, 0xAA)
			ans, res, err := BuildAnswer(tt.offer, l)
			if tt.want == "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrKeyExchangePolicy)
				assert.ErrorIs(t, err, ErrNoCrypto, "a refusal answers 488 like missing crypto")
				assert.Contains(t, err.Error(), "policy")
				return
			}
			require.NoError(t, err)
			back, err := Parse(ans.Marshal())
			require.NoError(t, err)
			m := back.Audio()
			assert.Equal(t, tt.offer.Audio().Proto, m.Proto, "the answer keeps the offer's profile")
			fps, _ := back.Fingerprints(m)
			switch tt.want {
			case "sdes":
				require.NotNil(t, res.SRTP)
				assert.Nil(t, res.DTLS)
				assert.Len(t, m.Crypto, 1)
				assert.Empty(t, fps)
			case "dtls":
				assert.Nil(t, res.SRTP)
				require.NotNil(t, res.DTLS)
				assert.Equal(t, SetupActive, res.DTLS.Role, "RFC 5763 §5: the answerer to actpass is active")
				assert.Equal(t, SetupActive, back.SetupOf(m))
				assert.Empty(t, m.Crypto, "no SDES keys in a DTLS answer")
				require.Len(t, fps, 1)
				assert.Equal(t, l.Fingerprint, fps[0])
				offFPs, _ := tt.offer.Fingerprints(tt.offer.Audio())
				assert.Equal(t, offFPs, res.DTLS.Remote)
			}
		})
	}
}

func mustParse(t *testing.T, b []byte) *Session {
	t.Helper()
	s, err := Parse(b)
	require.NoError(t, err)
	return s
}

func TestAnswerSetupRoles(t *testing.T) {
	tests := []struct {
		offered Setup
		want    Setup
		fails   bool
	}{
		{SetupActPass, SetupActive, false},
		{SetupActive, SetupPassive, false},
		{SetupPassive, SetupActive, false},
		{SetupNone, SetupPassive, false}, // RFC 4145: absent means active
		{SetupHoldConn, SetupNone, true},
	}
	for _, tt := range tests {
		t.Run("offered "+tt.offered.String(), func(t *testing.T) {
			off := peerDTLSOffer(t, tt.offered, fp256)
			_, res, err := BuildAnswer(off, dtlsLocal(4000, KeyExchangeBoth, 0xAA))
			if tt.fails {
				assert.ErrorIs(t, err, ErrNoCrypto)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.DTLS.Role)
		})
	}
}

// peerDTLSOffer is a DTLS-only offer with the given setup and fingerprint lines.
func peerDTLSOffer(t *testing.T, setup Setup, fps ...string) *Session {
	var b strings.Builder
	b.WriteString("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 UDP/TLS/RTP/SAVP 8\r\n")
	if setup != SetupNone {
		b.WriteString("a=setup:" + setup.String() + "\r\n")
	}
	for _, f := range fps {
		b.WriteString("a=fingerprint:" + f + "\r\n")
	}
	return mustParse(t, []byte(b.String()))
}

func TestAnswerRefusesUncheckableFingerprints(t *testing.T) {
	for name, fps := range map[string][]string{
		"none":      nil,
		"sha-1":     {"sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB"},
		"malformed": {"sha-256 zz"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := BuildAnswer(peerDTLSOffer(t, SetupActPass, fps...), dtlsLocal(4000, KeyExchangeBoth, 0xAA))
			require.ErrorIs(t, err, ErrNoCrypto)
			assert.ErrorIs(t, err, ErrNoFingerprint)
		})
	}
	t.Run("sha-1 next to sha-256 is fine", func(t *testing.T) {
		_, res, err := BuildAnswer(peerDTLSOffer(t, SetupActPass, "sha-1 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB", fp256),
			dtlsLocal(4000, KeyExchangeBoth, 0xAA))
		require.NoError(t, err)
		require.Len(t, res.DTLS.Remote, 1)
		assert.Equal(t, "sha-256", res.DTLS.Remote[0].Hash)
	})
}

func TestApplyAnswerKeyExchange(t *testing.T) {
	answerer := func(kx KeyExchange) func(*Session) *Session {
		return func(offer *Session) *Session {
			a, _, err := BuildAnswer(offer, dtlsLocal(5000, kx, 0xBB))
			require.NoError(t, err)
			return mustParse(t, a.Marshal())
		}
	}
	tests := []struct {
		name   string
		ours   KeyExchange
		answer func(*Session) *Session
		want   string
	}{
		{"both, dtls answer", KeyExchangeBoth, answerer(KeyExchangeBoth), "dtls"},
		{"both, sdes answer", KeyExchangeBoth, answerer(KeyExchangeSDES), "sdes"},
		{"dtls, dtls answer", KeyExchangeDTLS, answerer(KeyExchangeDTLS), "dtls"},
		{"dtls, answer without fingerprint", KeyExchangeDTLS, func(o *Session) *Session {
			a := answerer(KeyExchangeDTLS)(o)
			a.Audio().Attrs = nil
			return a
		}, ""},
		{"both, answer with a passive setup", KeyExchangeBoth, func(o *Session) *Session {
			a := answerer(KeyExchangeBoth)(o)
			for i := range a.Audio().Attrs {
				if a.Audio().Attrs[i].Key == "setup" {
					a.Audio().Attrs[i].Value = "passive"
				}
			}
			return a
		}, "dtls-active"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := dtlsLocal(4000, tt.ours, 0xAA)
			offer, err := BuildOffer(l)
			require.NoError(t, err)
			res, err := ApplyAnswer(offer, tt.answer(mustParse(t, offer.Marshal())), l)
			switch tt.want {
			case "":
				assert.ErrorIs(t, err, ErrKeyExchangePolicy)
			case "sdes":
				require.NoError(t, err)
				assert.NotNil(t, res.SRTP)
				assert.Nil(t, res.DTLS)
			case "dtls", "dtls-active":
				require.NoError(t, err)
				assert.Nil(t, res.SRTP)
				require.NotNil(t, res.DTLS)
				want := SetupPassive // the answerer took the active role
				if tt.want == "dtls-active" {
					want = SetupActive
				}
				assert.Equal(t, want, res.DTLS.Role)
				assert.Equal(t, bytes.Repeat([]byte{0xBB}, 32), res.DTLS.Remote[0].Value)
			}
		})
	}
}

func TestReofferKeepsRole(t *testing.T) {
	l := dtlsLocal(4000, KeyExchangeBoth, 0xAA)
	l.DTLSRole = SetupPassive
	o, err := BuildOffer(l)
	require.NoError(t, err)
	assert.Equal(t, "passive", attrVal(&o.Media[0], "setup"))
}
