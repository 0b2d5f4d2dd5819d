package audio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/audio/sdp"
	"softphone/audio/tone"
)

func newDTLSPeer(t *testing.T, freq float64, kx sdp.KeyExchange, suites []string) (*peer, *atomic.Int32) {
	t.Helper()
	p := &peer{sink: &bufferSink{}, tap: &countTap{}, digits: &digits{}, done: make(chan error, 1)}
	secured := &atomic.Int32{}
	s, err := NewSession(Config{
		LocalIP: loopback, RequireSRTP: true, Suites: suites, KeyExchange: kx,
		Source: tone.NewSine(freq, 8000, SampleRate), Sink: p.sink, Tap: p.tap, OnDTMF: p.digits.add,
		RTCPInterval: 300 * time.Millisecond, DTLSTimeout: 3 * time.Second,
		OnSecured: func() { secured.Add(1) },
	})
	require.NoError(t, err)
	p.s = s
	t.Cleanup(func() { _ = s.Close() })
	return p, secured
}

// TestDTLSLoopback runs two sessions keyed by DTLS-SRTP: audio both ways, SRTCP (RTT), the
// suite chosen by use_srtp, hold without a new handshake.
func TestDTLSLoopback(t *testing.T) {
	tests := []struct {
		name         string
		offerer      sdp.KeyExchange
		answerer     sdp.KeyExchange
		offerSuites  []string
		answerSuites []string
		want         string
	}{
		{"dtls to dtls, gcm", sdp.KeyExchangeDTLS, sdp.KeyExchangeDTLS, nil, nil, SuiteAEADAES128GCM},
		{"both to both, aes-cm", sdp.KeyExchangeBoth, sdp.KeyExchangeBoth, []string{SuiteAESCM128HMACSHA180}, nil, SuiteAESCM128HMACSHA180},
		{"both to dtls", sdp.KeyExchangeBoth, sdp.KeyExchangeDTLS, nil, []string{SuiteAESCM128HMACSHA180, SuiteAEADAES128GCM}, SuiteAEADAES128GCM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			a, aSecured := newDTLSPeer(t, 1000, tt.offerer, tt.offerSuites)
			b, bSecured := newDTLSPeer(t, 600, tt.answerer, tt.answerSuites)
			offer, err := a.s.Offer()
			require.NoError(t, err)
			assert.Contains(t, string(offer), "a=fingerprint:SHA-256 ")
			assert.Contains(t, string(offer), "a=setup:actpass")
			answer, err := b.s.Answer(offer)
			require.NoError(t, err)
			assert.Contains(t, string(answer), "a=setup:active")
			assert.NotContains(t, string(answer), "a=crypto")
			require.NoError(t, a.s.SetAnswer(answer))
			for _, p := range []*peer{a, b} {
				suite, _ := p.s.Negotiated()
				assert.Empty(t, suite, "no keys before the handshake")
				k, ready := p.s.Keying()
				assert.Equal(t, KeyingDTLS, k)
				assert.False(t, ready)
			}

			ctx, cancel := context.WithCancel(context.Background())
			a.run(ctx)
			b.run(ctx)
			eventually(t, "both secured", func() bool { return aSecured.Load() == 1 && bSecured.Load() == 1 })
			for _, p := range []*peer{a, b} {
				suite, codecName := p.s.Negotiated()
				assert.Equal(t, tt.want, suite)
				assert.Equal(t, "PCMA", codecName)
				k, ready := p.s.Keying()
				assert.Equal(t, KeyingDTLS, k)
				assert.True(t, ready)
			}
			eventually(t, "B hears 1000 Hz", hears(b, 1000))
			eventually(t, "A hears 600 Hz", hears(a, 600))
			eventually(t, "RTT over SRTCP", func() bool { return a.s.Stats().RTTMs > 0 && b.s.Stats().RTTMs > 0 })
			assert.Zero(t, a.s.Stats().SRTPFailures)
			assert.Zero(t, b.s.Stats().SRTPFailures)

			// Hold and resume keep the association: no new handshake, audio comes back.
			for _, on := range []bool{true, false} {
				re, err := a.s.SetHold(on)
				require.NoError(t, err)
				assert.Contains(t, string(re), "a=setup:passive", "a re-offer keeps our role")
				ans, err := b.s.Answer(re)
				require.NoError(t, err)
				require.NoError(t, a.s.SetAnswer(ans))
			}
			suite, _ := a.s.Negotiated()
			assert.Equal(t, tt.want, suite)
			eventually(t, "B hears 1000 Hz after resume", hears(b, 1000))
			assert.EqualValues(t, 1, aSecured.Load(), "one handshake per call")

			cancel()
			require.NoError(t, <-a.done)
			require.NoError(t, <-b.done)
			require.NoError(t, a.s.Close())
			require.NoError(t, b.s.Close())
		})
	}
}

// sniffer forwards UDP datagrams to dst and remembers their first bytes.
type sniffer struct {
	conn  *net.UDPConn
	mu    sync.Mutex
	first []byte
	empty int // zero-length datagrams (a passive side opening its NAT mapping)
}

func newSniffer(t *testing.T, dst *net.UDPAddr) *sniffer {
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	sn := &sniffer{conn: c}
	out, err := net.DialUDP("udp", nil, dst)
	require.NoError(t, err)
	go func() {
		buf := make([]byte, 1500)
		for {
			n, _, err := c.ReadFromUDP(buf)
			if err != nil {
				_ = out.Close()
				return
			}
			sn.mu.Lock()
			if n > 0 {
				sn.first = append(sn.first, buf[0])
			} else {
				sn.empty++
			}
			sn.mu.Unlock()
			_, _ = out.Write(buf[:n])
		}
	}()
	t.Cleanup(func() { _ = c.Close() })
	return sn
}

func (sn *sniffer) seen() (dtls, rtp int) {
	sn.mu.Lock()
	defer sn.mu.Unlock()
	for _, b := range sn.first {
		switch {
		case b >= 20 && b <= 63:
			dtls++
		case b >= 128 && b <= 191:
			rtp++
		}
	}
	return dtls, rtp
}

// TestDTLSWrongFingerprint: the offer's fingerprint is not the offerer's certificate's. The
// answerer refuses the handshake with a typed cause; neither side ever sends RTP.
func TestDTLSWrongFingerprint(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a, _ := newDTLSPeer(t, 1000, sdp.KeyExchangeDTLS, nil)
	b, _ := newDTLSPeer(t, 600, sdp.KeyExchangeDTLS, nil)
	offer, err := a.s.Offer()
	require.NoError(t, err)
	// A man in the middle swaps the fingerprint for his own certificate's.
	forged := regexp.MustCompile(`a=fingerprint:SHA-256 [0-9A-F:]+`).ReplaceAll(offer,
		[]byte("a=fingerprint:"+sdp.FingerprintOf([]byte("mallory")).String()))
	require.NotEqual(t, offer, forged)
	// A takes the active role, so its ClientHello is the first thing on the wire to B.
	forged = []byte(strings.Replace(string(forged), "a=setup:actpass", "a=setup:active", 1))
	answer, err := b.s.Answer(forged)
	require.NoError(t, err)
	// Route A's media through a sniffer to see every byte A sends to B.
	bPort := b.s.LocalPort()
	sn := newSniffer(t, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: bPort})
	snPort := sn.conn.LocalAddr().(*net.UDPAddr).Port
	answer = regexp.MustCompile(`m=audio `+strconv.Itoa(bPort)).ReplaceAll(answer, []byte("m=audio "+strconv.Itoa(snPort)))
	require.NoError(t, a.s.SetAnswer(answer))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.run(ctx)
	b.run(ctx)
	var errB, errA error
	select {
	case errB = <-b.done:
	case <-time.After(8 * time.Second):
		t.Fatal("B did not refuse the handshake")
	}
	var de *DTLSError
	require.ErrorAs(t, errB, &de)
	assert.Equal(t, DTLSFingerprintMismatch, de.Problem)
	assert.ErrorIs(t, errB, ErrDTLS)
	assert.Contains(t, errB.Error(), "does not match the fingerprint")
	select {
	case errA = <-a.done: // A hears the bad_certificate alert, or times out
	case <-time.After(8 * time.Second):
		t.Fatal("A did not end")
	}
	require.ErrorAs(t, errA, &de)
	t.Logf("A: %v", errA)
	t.Logf("B: %v", errB)

	require.NoError(t, sn.conn.Close())
	dtlsRecords, rtpPackets := sn.seen()
	assert.Positive(t, dtlsRecords, "A's handshake went through the sniffer")
	assert.Zero(t, rtpPackets, "no RTP, plain or not, before the keys")
	assert.Zero(t, a.s.Stats().PacketsSent)
	assert.Zero(t, b.s.Stats().PacketsSent)
	suite, _ := b.s.Negotiated()
	assert.Empty(t, suite)
	require.NoError(t, a.s.Close())
	require.NoError(t, b.s.Close())
}

// TestDTLSTimeout: the far end never answers the handshake; Run fails in time with DTLSTimeout.
func TestDTLSTimeout(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a, _ := newDTLSPeer(t, 1000, sdp.KeyExchangeDTLS, nil)
	silent, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer silent.Close()
	b, _ := newDTLSPeer(t, 600, sdp.KeyExchangeDTLS, nil)
	offer, err := b.s.Offer()
	require.NoError(t, err)
	port := silent.LocalAddr().(*net.UDPAddr).Port
	offer = regexp.MustCompile(`m=audio \d+`).ReplaceAll(offer, []byte("m=audio "+strconv.Itoa(port)))
	_, err = a.s.Answer(offer) // A is active: it sends ClientHellos into the void
	require.NoError(t, err)
	start := time.Now()
	err = a.s.Run(context.Background())
	var de *DTLSError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, DTLSTimeout, de.Problem, "%v", err)
	assert.Less(t, time.Since(start), 6*time.Second)
	assert.Zero(t, a.s.Stats().PacketsSent)
	assert.True(t, errors.Is(err, ErrDTLS))
}

// TestDTLSPassiveOpensNAT: a passive endpoint (the far end is active) sends zero-length datagrams
// (RFC 6263) to the far end's RTP and RTCP addresses while it waits for the ClientHello, so a NAT
// in front of it lets the handshake in; it sends nothing else.
func TestDTLSPassiveOpensNAT(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	far, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer far.Close()
	farRTCP, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer farRTCP.Close()
	a, _ := newDTLSPeer(t, 1000, sdp.KeyExchangeDTLS, nil)
	b, _ := newDTLSPeer(t, 600, sdp.KeyExchangeDTLS, nil)
	offer, err := b.s.Offer()
	require.NoError(t, err)
	offer = []byte(strings.Replace(string(offer), "a=setup:actpass", "a=setup:active", 1))
	offer = regexp.MustCompile(`m=audio \d+`).ReplaceAll(offer, []byte("m=audio "+strconv.Itoa(far.LocalAddr().(*net.UDPAddr).Port)))
	offer = regexp.MustCompile(`a=rtcp:\d+`).ReplaceAll(offer, []byte("a=rtcp:"+strconv.Itoa(farRTCP.LocalAddr().(*net.UDPAddr).Port)))
	_, err = a.s.Answer(offer)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	a.run(ctx)
	for _, c := range []*net.UDPConn{far, farRTCP} {
		buf := make([]byte, 1500)
		for range 2 { // the first at once, the next after punchInterval
			require.NoError(t, c.SetReadDeadline(time.Now().Add(2*time.Second)))
			n, _, err := c.ReadFromUDP(buf)
			require.NoError(t, err)
			assert.Zero(t, n, "only empty datagrams before the handshake")
		}
	}
	cancel()
	require.NoError(t, <-a.done)
	assert.Zero(t, a.s.Stats().PacketsSent)
}

func TestDTLSFirstError(t *testing.T) {
	other := errors.New("alert: handshake failure")
	cancelled := fmt.Errorf("handshake: %w", context.Canceled)
	mismatch := fmt.Errorf("handshake: %w", errFingerprint)
	assert.Equal(t, mismatch, firstError([]error{other, mismatch}))
	assert.Equal(t, other, firstError([]error{cancelled, other}))
	assert.Equal(t, cancelled, firstError([]error{cancelled, nil}))
	assert.NoError(t, firstError([]error{nil, nil}))
	var de *DTLSError
	require.ErrorAs(t, classifyDTLS(context.Background(), mismatch), &de)
	assert.Equal(t, DTLSFingerprintMismatch, de.Problem)
	assert.Equal(t, "fingerprint-mismatch", de.Problem.String())
}
