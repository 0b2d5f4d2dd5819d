package audio

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"softphone/audio/tone"
)

// The frame clock ticks once per period, and wait returns false soon after its context ends.
func TestFrameClockTicksAndStops(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const period = 5 * time.Millisecond
	c := newFrameClock(ctx, period)
	defer c.close()
	if runtime.GOOS == "linux" {
		assert.Equal(t, "*audio.timerfdClock", fmt.Sprintf("%T", c), "Linux paces the media with a timerfd")
	}
	start := time.Now()
	ticks := 0
	for time.Since(start) < 200*time.Millisecond {
		require.True(t, c.wait())
		ticks++
	}
	// 40 periods; a loaded machine may coalesce some expiries into one wake-up, never add any.
	assert.LessOrEqual(t, ticks, 41)
	assert.GreaterOrEqual(t, ticks, 10)

	ended := make(chan bool)
	go func() { ended <- c.wait() && c.wait() && c.wait() }()
	cancel()
	select {
	case ok := <-ended:
		assert.False(t, ok, "wait after the end of the call")
	case <-time.After(time.Second):
		t.Fatal("wait did not return after the context ended")
	}
}

// RTCP runs on the media clock's tick: sender reports at the configured interval, and a BYE
// when the call ends, all on the far end's RTCP port.
func TestRTCPReportsAndByeFromTheTick(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	rtpPeer, rtcpPeer := listenPeerPair(t)
	s, err := NewSession(Config{LocalIP: loopback, Codecs: []string{"PCMA"}, RTCPInterval: 100 * time.Millisecond,
		Source: tone.NewSine(440, 8000, SampleRate), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Offer()
	require.NoError(t, err)
	port := rtpPeer.LocalAddr().(*net.UDPAddr).Port
	answer := fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n", port)
	require.NoError(t, s.SetAnswer([]byte(answer)))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	buf := make([]byte, 1500)
	read := func() []rtcp.Packet {
		require.NoError(t, rtcpPeer.SetReadDeadline(time.Now().Add(2*time.Second)))
		n, err := rtcpPeer.Read(buf)
		require.NoError(t, err, "no RTCP from the session")
		pkts, err := rtcp.Unmarshal(buf[:n])
		require.NoError(t, err)
		return pkts
	}
	start := time.Now()
	for range 3 {
		pkts := read()
		require.IsType(t, &rtcp.SenderReport{}, pkts[0], "we send audio: a sender report")
		assert.IsType(t, &rtcp.SourceDescription{}, pkts[1])
	}
	// Three reports at 50..150 ms each.
	assert.Less(t, time.Since(start), time.Second)
	cancel()
	require.NoError(t, <-done)
	for {
		pkts := read() // a report may have crossed the end; the BYE follows it
		if bye, ok := pkts[len(pkts)-1].(*rtcp.Goodbye); ok {
			assert.Equal(t, []uint32{s.ssrc}, bye.Sources)
			break
		}
	}
}

// listenPeerPair binds a far end's RTP and RTCP sockets on an even port and the one above.
func listenPeerPair(t *testing.T) (rtp, rtcp *net.UDPConn) {
	t.Helper()
	for range 50 {
		r, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		require.NoError(t, err)
		p := r.LocalAddr().(*net.UDPAddr).Port
		if p%2 != 0 {
			_ = r.Close()
			continue
		}
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p + 1})
		if err != nil {
			_ = r.Close()
			continue
		}
		t.Cleanup(func() { _ = r.Close(); _ = c.Close() })
		return r, c
	}
	t.Fatal("no free port pair")
	return nil, nil
}
