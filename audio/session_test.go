package audio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/audio/tone"
)

// bufferSink records everything played.
type bufferSink struct {
	mu  sync.Mutex
	pcm []int16
}

func (b *bufferSink) Write(frame []int16) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pcm = append(b.pcm, frame...)
	return nil
}

// last returns the most recent n samples.
func (b *bufferSink) last(n int) []int16 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pcm) < n {
		return append([]int16(nil), b.pcm...)
	}
	return append([]int16(nil), b.pcm[len(b.pcm)-n:]...)
}

// countTap counts frames seen by a Tap.
type countTap struct {
	mu                sync.Mutex
	captured, played  int
	capturedNonSilent int
}

func (c *countTap) Captured(pcm []int16) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.captured++
	if tone.RMS(pcm) > 10 {
		c.capturedNonSilent++
	}
}

func (c *countTap) Played([]int16) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.played++
}

type digits struct {
	mu  sync.Mutex
	got []rune
}

func (d *digits) add(r rune) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, r)
}

func (d *digits) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return string(d.got)
}

var loopback = netip.MustParseAddr("127.0.0.1")

type peer struct {
	s      *Session
	sink   *bufferSink
	tap    *countTap
	digits *digits
	done   chan error
}

func newPeer(t *testing.T, freq float64, require_ bool, suites []string) *peer {
	t.Helper()
	p := &peer{sink: &bufferSink{}, tap: &countTap{}, digits: &digits{}, done: make(chan error, 1)}
	s, err := NewSession(Config{
		LocalIP: loopback, RequireSRTP: require_, Suites: suites,
		Source: tone.NewSine(freq, 8000, SampleRate), Sink: p.sink, Tap: p.tap, OnDTMF: p.digits.add,
		RTCPInterval: 500 * time.Millisecond,
	})
	require.NoError(t, err)
	p.s = s
	t.Cleanup(func() { _ = s.Close() })
	return p
}

func (p *peer) run(ctx context.Context) { go func() { p.done <- p.s.Run(ctx) }() }

// eventually polls cond for up to 10 s (the machine is shared and slow).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func hears(p *peer, freq float64) func() bool {
	return func() bool {
		pcm := p.sink.last(SampleRate / 2)
		if len(pcm) < SampleRate/2 || tone.RMS(pcm) < 500 {
			return false
		}
		f := tone.DominantFrequency(pcm, SampleRate)
		return f > freq-10 && f < freq+10
	}
}

func TestLoopback(t *testing.T) {
	tests := []struct {
		name  string
		suite string
	}{
		{"gcm", SuiteAEADAES128GCM},
		{"aes-cm", SuiteAESCM128HMACSHA180},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			a := newPeer(t, 1000, true, []string{tt.suite})
			b := newPeer(t, 600, true, nil)

			offer, err := a.s.Offer()
			require.NoError(t, err)
			assert.Equal(t, StateOffered, a.s.State())
			answer, err := b.s.Answer(offer)
			require.NoError(t, err)
			require.NoError(t, a.s.SetAnswer(answer))
			for _, p := range []*peer{a, b} {
				suite, codecName := p.s.Negotiated()
				assert.Equal(t, tt.suite, suite)
				assert.Equal(t, "PCMA", codecName)
				assert.Equal(t, StateNegotiated, p.s.State())
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			a.run(ctx)
			b.run(ctx)

			// Both directions carry audio: A's 1000 Hz at B, B's 600 Hz at A.
			eventually(t, "B hears 1000 Hz", hears(b, 1000))
			eventually(t, "A hears 600 Hz", hears(a, 600))

			// DTMF A→B, each digit exactly once.
			require.NoError(t, a.s.SendDTMF("123#"))
			eventually(t, "4 digits", func() bool { return len(b.digits.String()) >= 4 })
			time.Sleep(300 * time.Millisecond) // late retransmissions must not add digits
			assert.Equal(t, "123#", b.digits.String())

			// RTCP: RTT measured and stats filled.
			eventually(t, "RTT from RTCP", func() bool { return a.s.Stats().RTTMs > 0 && b.s.Stats().RTTMs > 0 })
			st := b.s.Stats()
			t.Logf("stats B: %+v", st)
			assert.Positive(t, st.PacketsReceived)
			assert.Positive(t, st.PacketsSent)
			assert.Greater(t, st.MOS, 3.5)
			assert.Less(t, st.RTTMs, 500.0)
			assert.Zero(t, st.SRTPFailures)

			// Hold: A re-offers sendonly, B answers recvonly and stops sending; A sends nothing.
			holdOffer, err := a.s.SetHold(true)
			require.NoError(t, err)
			assert.Contains(t, string(holdOffer), "a=sendonly")
			holdAnswer, err := b.s.Answer(holdOffer)
			require.NoError(t, err)
			assert.Contains(t, string(holdAnswer), "a=recvonly")
			require.NoError(t, a.s.SetAnswer(holdAnswer))
			time.Sleep(400 * time.Millisecond) // drain what was in flight and in the jitter buffer
			recvB := b.s.Stats().PacketsReceived
			recvA := a.s.Stats().PacketsReceived
			time.Sleep(500 * time.Millisecond)
			assert.Equal(t, recvB, b.s.Stats().PacketsReceived, "B must receive nothing while held")
			assert.Equal(t, recvA, a.s.Stats().PacketsReceived, "B must not send while it is recvonly")
			assert.Less(t, tone.RMS(b.sink.last(SampleRate/4)), 10.0, "B plays silence")
			suite, _ := a.s.Negotiated()
			assert.Equal(t, tt.suite, suite, "keys kept across the re-INVITE")

			// Resume.
			resume, err := a.s.SetHold(false)
			require.NoError(t, err)
			resumeAns, err := b.s.Answer(resume)
			require.NoError(t, err)
			require.NoError(t, a.s.SetAnswer(resumeAns))
			eventually(t, "B hears 1000 Hz after resume", hears(b, 1000))
			eventually(t, "A hears 600 Hz after resume", hears(a, 600))

			cancel()
			for _, p := range []*peer{a, b} {
				select {
				case err := <-p.done:
					require.NoError(t, err)
				case <-time.After(5 * time.Second):
					t.Fatal("Run did not return")
				}
				require.NoError(t, p.s.Close())
				require.NoError(t, p.s.Close(), "Close is idempotent")
				assert.Equal(t, StateClosed, p.s.State())
			}
			a.tap.mu.Lock()
			assert.Positive(t, a.tap.captured)
			assert.Positive(t, a.tap.played)
			a.tap.mu.Unlock()
		})
	}
}

func TestMuteSendsSilence(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := newPeer(t, 1000, true, nil)
	b := newPeer(t, 600, true, nil)
	offer, err := a.s.Offer()
	require.NoError(t, err)
	answer, err := b.s.Answer(offer)
	require.NoError(t, err)
	require.NoError(t, a.s.SetAnswer(answer))
	ctx, cancel := context.WithCancel(context.Background())
	a.run(ctx)
	b.run(ctx)
	eventually(t, "B hears 1000 Hz", hears(b, 1000))
	// Forged packets (right header, garbage payload) are refused by SRTP authentication.
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(b.s.LocalPort()))))
	require.NoError(t, err)
	for i := range 20 {
		forged := make([]byte, 12+160+16)
		forged[0], forged[1], forged[3] = 0x80, 8, byte(i)
		_, err := conn.Write(forged)
		require.NoError(t, err)
	}
	require.NoError(t, conn.Close())
	eventually(t, "forged packets counted", func() bool { return b.s.Stats().SRTPFailures >= 20 })
	require.True(t, hears(b, 1000)(), "audio unaffected by the forgeries")

	a.s.SetMute(true)
	eventually(t, "B hears silence", func() bool { return tone.RMS(b.sink.last(SampleRate/2)) < 10 })
	before := b.s.Stats().PacketsReceived
	eventually(t, "packets keep flowing while muted", func() bool { return b.s.Stats().PacketsReceived > before+10 })
	a.s.SetMute(false)
	eventually(t, "B hears 1000 Hz again", hears(b, 1000))
	cancel()
	require.NoError(t, <-a.done)
	require.NoError(t, <-b.done)
}

const plainOffer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
	"m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n"

func TestSRTPRequired(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Run("plain offer refused", func(t *testing.T) {
		p := newPeer(t, 1000, true, nil)
		_, err := p.s.Answer([]byte(plainOffer))
		require.ErrorIs(t, err, ErrSRTPRequired)
		suite, c := p.s.Negotiated()
		assert.Empty(t, suite+c)
	})
	t.Run("plain answer refused", func(t *testing.T) {
		p := newPeer(t, 1000, true, nil)
		offer, err := p.s.Offer()
		require.NoError(t, err)
		assert.Contains(t, string(offer), "RTP/SAVP")
		err = p.s.SetAnswer([]byte(strings.Replace(plainOffer, "0 8 101", "8 101", 1)))
		require.ErrorIs(t, err, ErrSRTPRequired)
	})
	t.Run("plain allowed when not required", func(t *testing.T) {
		p := newPeer(t, 1000, false, nil)
		ans, err := p.s.Answer([]byte(plainOffer))
		require.NoError(t, err)
		assert.Contains(t, string(ans), "RTP/AVP")
		assert.NotContains(t, string(ans), "a=crypto")
		suite, c := p.s.Negotiated()
		assert.Empty(t, suite)
		assert.Equal(t, "PCMU", c)
	})
	t.Run("set answer without offer", func(t *testing.T) {
		p := newPeer(t, 1000, true, nil)
		require.ErrorIs(t, p.s.SetAnswer([]byte(plainOffer)), ErrNoOffer)
	})
}

func TestPlainRTPLoopback(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := newPeer(t, 1000, false, nil)
	b := newPeer(t, 600, false, nil)
	// A offers best-effort SRTP (RTP/AVP with a=crypto); B answers; SRTP gets used anyway.
	offer, err := a.s.Offer()
	require.NoError(t, err)
	assert.Contains(t, string(offer), "RTP/AVP")
	assert.Contains(t, string(offer), "a=crypto")
	answer, err := b.s.Answer(offer)
	require.NoError(t, err)
	require.NoError(t, a.s.SetAnswer(answer))
	suite, _ := a.s.Negotiated()
	assert.Equal(t, SuiteAEADAES128GCM, suite)
	ctx, cancel := context.WithCancel(context.Background())
	a.run(ctx)
	b.run(ctx)
	eventually(t, "B hears 1000 Hz", hears(b, 1000))
	cancel()
	require.NoError(t, <-a.done)
	require.NoError(t, <-b.done)
}

func TestRunEndsWithCallerCause(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p := newPeer(t, 1000, true, nil)
	ctx, cancel := context.WithCancelCause(context.Background())
	p.run(ctx)
	time.Sleep(50 * time.Millisecond)
	cancel(errors.New("remote hangup"))
	require.NoError(t, <-p.done, "a cancelled call is a normal end of media")
}

func TestRunLifecycle(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	p := newPeer(t, 1000, true, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p.run(ctx)
	time.Sleep(50 * time.Millisecond)
	require.ErrorIs(t, p.s.Run(ctx), ErrRunning)
	require.NoError(t, p.s.Close())
	select {
	case err := <-p.done:
		require.True(t, err == nil || errors.Is(err, ErrClosed), "got %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after Close")
	}
	require.ErrorIs(t, p.s.Run(ctx), ErrClosed)
	_, err := p.s.Offer()
	require.ErrorIs(t, err, ErrClosed)
}

func TestSendDTMFErrors(t *testing.T) {
	p := newPeer(t, 1000, false, nil)
	require.ErrorIs(t, p.s.SendDTMF("1"), ErrNotNegotiated)
	_, err := p.s.Answer([]byte(strings.Replace(plainOffer, " 101\r\n", "\r\n", 1)))
	require.NoError(t, err)
	require.ErrorIs(t, p.s.SendDTMF("1"), ErrNoDTMF)
	require.ErrorIs(t, p.s.SendDTMF("x"), ErrInvalidDigit)
}

func TestNewSessionConfig(t *testing.T) {
	_, err := NewSession(Config{})
	require.ErrorIs(t, err, ErrBadConfig)
	_, err = NewSession(Config{LocalIP: loopback, Codecs: []string{"G729"}})
	require.ErrorIs(t, err, ErrBadConfig)
	_, err = NewSession(Config{LocalIP: loopback, Suites: []string{"NULL"}})
	require.ErrorIs(t, err, ErrBadConfig)
	s, err := NewSession(Config{LocalIP: loopback, PortMin: 30000, PortMax: 30100})
	require.NoError(t, err)
	defer s.Close()
	assert.Zero(t, s.LocalPort()%2)
	assert.GreaterOrEqual(t, s.LocalPort(), 30000)
	assert.LessOrEqual(t, s.LocalPort(), 30100)
}

// The answerer puts the call on hold with its own re-INVITE: roles of offerer and answerer swap.
func TestRemoteHold(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := newPeer(t, 1000, true, nil)
	b := newPeer(t, 600, true, nil)
	offer, err := a.s.Offer()
	require.NoError(t, err)
	answer, err := b.s.Answer(offer)
	require.NoError(t, err)
	require.NoError(t, a.s.SetAnswer(answer))
	ctx, cancel := context.WithCancel(context.Background())
	a.run(ctx)
	b.run(ctx)
	eventually(t, "A hears 600 Hz", hears(a, 600))

	hold, err := b.s.SetHold(true)
	require.NoError(t, err)
	holdAns, err := a.s.Answer(hold)
	require.NoError(t, err)
	assert.Contains(t, string(holdAns), "a=recvonly")
	require.NoError(t, b.s.SetAnswer(holdAns))
	eventually(t, "A hears silence", func() bool { return tone.RMS(a.sink.last(SampleRate/4)) < 10 })
	eventually(t, "B hears silence", func() bool { return tone.RMS(b.sink.last(SampleRate/4)) < 10 })

	resume, err := b.s.SetHold(false)
	require.NoError(t, err)
	resumeAns, err := a.s.Answer(resume)
	require.NoError(t, err)
	require.NoError(t, b.s.SetAnswer(resumeAns))
	eventually(t, "A hears 600 Hz again", hears(a, 600))
	eventually(t, "B hears 1000 Hz again", hears(b, 1000))
	cancel()
	require.NoError(t, <-a.done)
	require.NoError(t, <-b.done)
}

// relay forwards datagrams to dst, dropping every dropEvery-th and swapping neighbours every
// swapEvery-th, to put loss and reordering between two sessions.
func relay(t *testing.T, dst netip.AddrPort, dropEvery, swapEvery int) (netip.AddrPort, func()) {
	t.Helper()
	conn, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		var held []byte
		for i := 1; ; i++ {
			n, _, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			pkt := append([]byte(nil), buf[:n]...)
			switch {
			case i%dropEvery == 0:
				continue
			case held == nil && i%swapEvery == 0:
				held = pkt
				continue
			}
			_, _ = conn.WriteToUDPAddrPort(pkt, dst)
			if held != nil {
				_, _ = conn.WriteToUDPAddrPort(held, dst)
				held = nil
			}
		}
	}()
	return conn.LocalAddr().(*net.UDPAddr).AddrPort(), func() { _ = conn.Close(); <-done }
}

// Loss and reordering on the path A→B: B conceals, counts the loss, reports it in RTCP, and A
// sees it as remote loss; the tone still comes through.
func TestLossyPath(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := newPeer(t, 1000, true, nil)
	b := newPeer(t, 600, true, nil)
	offer, err := a.s.Offer()
	require.NoError(t, err)
	answer, err := b.s.Answer(offer)
	require.NoError(t, err)
	addr, stop := relay(t, netip.AddrPortFrom(loopback, uint16(b.s.LocalPort())), 20, 7)
	defer stop()
	// A sends RTP to the relay; RTCP still goes straight to B (a=rtcp names B's port).
	answer = []byte(strings.Replace(string(answer),
		fmt.Sprintf("m=audio %d ", b.s.LocalPort()), fmt.Sprintf("m=audio %d ", addr.Port()), 1))
	require.NoError(t, a.s.SetAnswer(answer))
	ctx, cancel := context.WithCancel(context.Background())
	a.run(ctx)
	b.run(ctx)
	eventually(t, "B hears 1000 Hz through the lossy path", hears(b, 1000))
	eventually(t, "A learns B's loss from RTCP", func() bool { return a.s.Stats().RemoteLossFraction > 0 })
	st := b.s.Stats()
	t.Logf("B: %+v", st)
	assert.Positive(t, st.PacketsLost)
	assert.Positive(t, st.Concealed)
	assert.InDelta(t, 0.05, st.LossFraction, 0.04)
	assert.Less(t, st.MOS, 4.0, "5 % loss must cost quality")
	assert.Greater(t, st.MOS, 1.5)
	ra := a.s.Stats()
	assert.InDelta(t, 0.05, ra.RemoteLossFraction, 0.04)
	assert.Positive(t, ra.RemotePacketsLost)
	cancel()
	require.NoError(t, <-a.done)
	require.NoError(t, <-b.done)
}
