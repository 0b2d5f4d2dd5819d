package audio

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/audio/sdp"
	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

func newDTLSICEPeer(t *testing.T, freq float64, nat NATConfig) (*peer, *atomic.Int32) {
	t.Helper()
	p := &peer{sink: &bufferSink{}, tap: &countTap{}, digits: &digits{}, done: make(chan error, 1)}
	secured := &atomic.Int32{}
	s, err := NewSession(Config{
		LocalIP: loopback, RequireSRTP: true, KeyExchange: sdp.KeyExchangeDTLS,
		Source: tone.NewSine(freq, 8000, SampleRate), Sink: p.sink, Tap: p.tap, OnDTMF: p.digits.add,
		RTCPInterval: 300 * time.Millisecond, NAT: nat, OnSecured: func() { secured.Add(1) },
	})
	require.NoError(t, err)
	p.s = s
	t.Cleanup(func() { _ = s.Close() })
	return p, secured
}

// dtlsOverICE negotiates DTLS-SRTP with ICE from a to b and checks audio both ways: the handshake
// runs once ICE selected a pair, over that pair, one association for RTP and RTCP (rtcp-mux).
func dtlsOverICE(t *testing.T, nat NATConfig) (a, b *peer) {
	a, aSec := newDTLSICEPeer(t, 440, nat)
	b, bSec := newDTLSICEPeer(t, 1000, nat)
	offer, answer := negotiate(t, a, b)
	for _, body := range []string{string(offer), string(answer)} {
		require.Contains(t, body, "UDP/TLS/RTP/SAVP")
		require.Contains(t, body, "a=fingerprint:SHA-256")
		require.Contains(t, body, "a=rtcp-mux")
		require.Contains(t, body, "a=ice-ufrag:")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a.run(ctx)
	b.run(ctx)
	eventually(t, "both secured", func() bool { return aSec.Load() == 1 && bSec.Load() == 1 })
	eventually(t, "b hears a's 440 Hz", hears(b, 440))
	eventually(t, "a hears b's 1000 Hz", hears(a, 1000))
	eventually(t, "RTT over SRTCP on the ICE pair", func() bool { return a.s.Stats().RTTMs > 0 && b.s.Stats().RTTMs > 0 })
	for _, p := range []*peer{a, b} {
		suite, _ := p.s.Negotiated()
		require.Equal(t, SuiteAEADAES128GCM, suite)
		require.Zero(t, p.s.Stats().SRTPFailures)
	}
	return a, b
}

func TestDTLSOverICE(t *testing.T) {
	a, _ := dtlsOverICE(t, NATConfig{ICE: true})
	st := a.s.Stats()
	require.Equal(t, "host", st.ICE.LocalType)
	t.Logf("pair %s", st.ICE)
}

// TestDTLSOverTURNTCP: relay-only ICE through a real coturn over TCP (UDP blocked), DTLS-SRTP
// on top. (TURN over TLS is TestICERelayThroughCoturn's: Go loads the roots it trusts once per
// process, so only one test may point SSL_CERT_FILE at its coturn's CA.)
func TestDTLSOverTURNTCP(t *testing.T) {
	if testing.Short() {
		t.Skip("starts coturn")
	}
	turn := testpeer.StartCoturn(t, testpeer.CoturnOptions{})
	a, _ := dtlsOverICE(t, NATConfig{ICE: true, RelayOnly: true,
		TURNServers:  []string{"turn:" + turn.Addr + "?transport=tcp"},
		TURNUsername: turn.User, TURNPassword: turn.Password})
	st := a.s.Stats()
	require.Equal(t, "relay", st.ICE.LocalType)
	require.Equal(t, "tcp", st.ICE.RelayProtocol)
	t.Logf("pair %s", st.ICE)
}
