package audio

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/audio/sdp"
	"softphone/audio/tone"
	"softphone/internal/testpeer"
)

func newICEPeer(t *testing.T, freq float64, nat NATConfig) *peer {
	t.Helper()
	p := &peer{sink: &bufferSink{}, tap: &countTap{}, digits: &digits{}, done: make(chan error, 1)}
	s, err := NewSession(Config{
		LocalIP: loopback, RequireSRTP: true,
		Source: tone.NewSine(freq, 8000, SampleRate), Sink: p.sink, Tap: p.tap, OnDTMF: p.digits.add,
		RTCPInterval: 500 * time.Millisecond, NAT: nat,
	})
	require.NoError(t, err)
	p.s = s
	t.Cleanup(func() { _ = s.Close() })
	return p
}

// negotiate runs offer/answer from a to b and returns the offer and answer.
func negotiate(t *testing.T, a, b *peer) (offer, answer []byte) {
	t.Helper()
	offer, err := a.s.Offer()
	require.NoError(t, err)
	answer, err = b.s.Answer(offer)
	require.NoError(t, err)
	require.NoError(t, a.s.SetAnswer(answer))
	return offer, answer
}

// callBothWays runs a and b until each hears the other's tone.
func callBothWays(t *testing.T, a, b *peer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a.run(ctx)
	b.run(ctx)
	eventually(t, "b hears a's 440 Hz", hears(b, 440))
	eventually(t, "a hears b's 1000 Hz", hears(a, 1000))
}

func TestICEHostLoopback(t *testing.T) {
	a := newICEPeer(t, 440, NATConfig{ICE: true})
	b := newICEPeer(t, 1000, NATConfig{ICE: true})
	start := time.Now()
	offer, answer := negotiate(t, a, b)
	t.Logf("gather + offer/answer took %v", time.Since(start).Round(time.Millisecond))
	for _, body := range []string{string(offer), string(answer)} {
		for _, want := range []string{"a=ice-ufrag:", "a=ice-pwd:", "typ host", "a=end-of-candidates", "a=rtcp-mux"} {
			require.Contains(t, body, want)
		}
	}
	callBothWays(t, a, b)
	for name, p := range map[string]*peer{"offerer": a, "answerer": b} {
		st := p.s.Stats()
		require.Equal(t, "host", st.ICE.LocalType, name)
		require.Equal(t, "host", st.ICE.RemoteType, name)
		t.Logf("%s: pair %s, sent %d received %d", name, st.ICE, st.PacketsSent, st.PacketsReceived)
	}
	// RTCP rides the same component (rtcp-mux): RTT gets measured.
	eventually(t, "RTT from RTCP over ICE", func() bool { return a.s.Stats().RTTMs > 0 && b.s.Stats().RTTMs > 0 })
}

func TestICEPeerWithoutICEGetsPlainRTP(t *testing.T) {
	for _, dir := range []string{"ICE offerer, plain answerer", "plain offerer, ICE answerer"} {
		t.Run(dir, func(t *testing.T) {
			a := newICEPeer(t, 440, NATConfig{ICE: strings.HasPrefix(dir, "ICE")})
			b := newICEPeer(t, 1000, NATConfig{ICE: !strings.HasPrefix(dir, "ICE")})
			_, answer := negotiate(t, a, b)
			require.NotContains(t, string(answer), "a=candidate")
			callBothWays(t, a, b)
			require.Empty(t, a.s.Stats().ICE.LocalType)
			require.Empty(t, b.s.Stats().ICE.LocalType)
			// A re-INVITE of a call running on plain RTP stays plain: an ICE mux on the socket
			// would take packets from the running receiver.
			for _, p := range []*peer{a, b} {
				offer, err := p.s.Offer()
				require.NoError(t, err)
				require.NotContains(t, string(offer), "a=candidate")
				other := map[*peer]*peer{a: b, b: a}[p]
				answer, err := other.s.Answer(offer)
				require.NoError(t, err)
				require.NoError(t, p.s.SetAnswer(answer))
			}
			before := b.s.Stats().PacketsReceived
			eventually(t, "audio goes on after the re-INVITEs", func() bool { return b.s.Stats().PacketsReceived > before+25 })
			eventually(t, "a hears b after the re-INVITEs", hears(a, 1000))
		})
	}
}

func TestICEOfferWithoutRTCPMuxGetsPlainRTP(t *testing.T) {
	a := newICEPeer(t, 440, NATConfig{ICE: true})
	b := newICEPeer(t, 1000, NATConfig{ICE: true})
	offer, err := a.s.Offer()
	require.NoError(t, err)
	// A peer doing ICE with two components (RTP and RTCP apart) is answered without ICE.
	stripped := strings.ReplaceAll(string(offer), "a=rtcp-mux\r\n", "")
	answer, err := b.s.Answer([]byte(stripped))
	require.NoError(t, err)
	require.NotContains(t, string(answer), "a=candidate")
	require.NoError(t, a.s.SetAnswer(answer))
	callBothWays(t, a, b)
	require.Empty(t, a.s.Stats().ICE.LocalType)
}

func TestICERestart(t *testing.T) {
	a := newICEPeer(t, 440, NATConfig{ICE: true})
	b := newICEPeer(t, 1000, NATConfig{ICE: true})
	offer1, _ := negotiate(t, a, b)
	callBothWays(t, a, b)

	// Hold-style re-offer without restart keeps the credentials.
	offer2, err := a.s.Offer()
	require.NoError(t, err)
	require.Equal(t, iceUfrag(t, offer1), iceUfrag(t, offer2))
	answer2, err := b.s.Answer(offer2)
	require.NoError(t, err)
	require.NoError(t, a.s.SetAnswer(answer2))

	a.s.restartICE()
	offer3, err := a.s.Offer()
	require.NoError(t, err)
	require.NotEqual(t, iceUfrag(t, offer1), iceUfrag(t, offer3), "a restart offer has new credentials")
	answer3, err := b.s.Answer(offer3)
	require.NoError(t, err)
	require.NotEqual(t, iceUfrag(t, answer2), iceUfrag(t, answer3), "the answerer restarts too")
	require.NoError(t, a.s.SetAnswer(answer3))
	for _, p := range []*peer{a, b} {
		eventually(t, "the restarted leg connects", func() bool {
			p.s.mu.Lock()
			defer p.s.mu.Unlock()
			cur := p.s.nat.cur
			return p.s.nat.conn.Load() != nil && cur != nil &&
				(cur.local.Ufrag == iceUfrag(t, offer3) || cur.local.Ufrag == iceUfrag(t, answer3))
		})
	}
	before := b.s.Stats().PacketsReceived
	eventually(t, "audio after the restart", func() bool { return b.s.Stats().PacketsReceived > before+25 })
	eventually(t, "b hears a's 440 Hz after the restart", hears(b, 440))
	eventually(t, "a hears b's 1000 Hz after the restart", hears(a, 1000))
}

func iceUfrag(t *testing.T, body []byte) string {
	t.Helper()
	s, err := sdp.Parse(body)
	require.NoError(t, err)
	ice, ok := sdp.MediaICE(s, s.Audio())
	require.True(t, ok, "no ICE in\n%s", body)
	return ice.Ufrag
}

func TestNATConfigChecked(t *testing.T) {
	for _, nat := range []NATConfig{
		{ICE: true, STUNServers: []string{"::bad::"}},
		{ICE: true, TURNServers: []string{"http://turn.example"}, TURNUsername: "u", TURNPassword: "p"},
		{ICE: true, TURNServers: []string{"turn:turn.example:3478"}},
		{ICE: true, RelayOnly: true},
	} {
		_, err := NewSession(Config{LocalIP: loopback, NAT: nat})
		require.ErrorIs(t, err, ErrBadConfig, "%+v", nat)
	}
}

// TestICERelayThroughCoturn runs calls whose only candidates are relayed by a real coturn,
// reached over UDP, TCP and TLS.
func TestICERelayThroughCoturn(t *testing.T) {
	if testing.Short() {
		t.Skip("starts coturn")
	}
	turn := testpeer.StartCoturn(t, testpeer.CoturnOptions{})
	// Trust the test server's self-signed certificate: Go reads SSL_CERT_FILE when it first
	// loads the system roots, which nothing in this test binary did before.
	require.NoError(t, os.Setenv("SSL_CERT_FILE", turn.CAFile))
	for _, tc := range []struct{ uri, proto string }{
		{"turn:" + turn.Addr + "?transport=udp", "udp"},
		{"turn:" + turn.Addr + "?transport=tcp", "tcp"},
		{"turns:" + turn.TLSAddr + "?transport=tcp", "tls"},
	} {
		t.Run(tc.proto, func(t *testing.T) {
			nat := NATConfig{ICE: true, RelayOnly: true, TURNServers: []string{tc.uri},
				TURNUsername: turn.User, TURNPassword: turn.Password}
			a := newICEPeer(t, 440, nat)
			b := newICEPeer(t, 1000, nat)
			start := time.Now()
			offer, answer := negotiate(t, a, b)
			t.Logf("gather + offer/answer took %v", time.Since(start).Round(time.Millisecond))
			require.Contains(t, string(offer), "typ relay")
			require.NotContains(t, string(offer), "typ host")
			require.Contains(t, string(answer), "typ relay")
			callBothWays(t, a, b)
			st := a.s.Stats()
			require.Equal(t, "relay", st.ICE.LocalType)
			require.Equal(t, tc.proto, st.ICE.RelayProtocol)
			t.Logf("pair %s", st.ICE)
		})
	}
}

// TestICEGatherIsBounded: a STUN or TURN server that never answers must not make call setup
// slow: the offer goes out after GatherTimeout (and RelayTimeout for TURN) with what was found.
func TestICEGatherIsBounded(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0") // swallows every request
	require.NoError(t, err)
	defer silent.Close()
	addr := silent.LocalAddr().String()
	for _, tc := range []struct {
		name  string
		nat   NATConfig
		limit time.Duration
	}{
		{"silent STUN", NATConfig{ICE: true, STUNServers: []string{addr}, GatherTimeout: 300 * time.Millisecond}, 700 * time.Millisecond},
		{"silent TURN", NATConfig{ICE: true, TURNServers: []string{"turn:" + addr + "?transport=udp"}, TURNUsername: "u", TURNPassword: "p",
			GatherTimeout: 300 * time.Millisecond, RelayTimeout: 300 * time.Millisecond}, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newICEPeer(t, 440, tc.nat)
			start := time.Now()
			offer, err := p.s.Offer()
			took := time.Since(start)
			require.NoError(t, err)
			t.Logf("offer after %v (bound %v)", took.Round(time.Millisecond), tc.limit)
			require.Less(t, took, tc.limit)
			require.Contains(t, string(offer), "typ host", "the host candidate is offered anyway")
		})
	}
}
