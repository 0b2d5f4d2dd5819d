package audio

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/audio/tone"
)

// TestRelocateRunning moves a running, relocatable session to another local address: the
// re-offer advertises it, the peer's answer is applied, and audio keeps flowing both ways.
func TestRelocateRunning(t *testing.T) {
	a := newPeer(t, 1000, true, nil)
	require.NoError(t, a.s.Close())
	s, err := NewSession(Config{
		LocalIP: loopback, Relocatable: true, RequireSRTP: true,
		Source: tone.NewSine(1000, 8000, SampleRate), Sink: a.sink, RTCPInterval: 500 * time.Millisecond,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	a.s = s
	b := newPeer(t, 600, true, nil)

	negotiate(t, a, b)
	ctx, cancel := context.WithCancel(context.Background())
	a.run(ctx)
	b.run(ctx)
	eventually(t, "A hears 600 Hz", hears(a, 600))

	moved := netip.MustParseAddr("127.0.0.2")
	require.NoError(t, a.s.Relocate(moved))
	re, err := a.s.Offer()
	require.NoError(t, err)
	require.Contains(t, string(re), "c=IN IP4 127.0.0.2")
	reAns, err := b.s.Answer(re)
	require.NoError(t, err)
	require.NoError(t, a.s.SetAnswer(reAns))
	require.Equal(t, moved, b.s.media.Load().remote.Addr(), "B sends to the new address")
	before := a.s.Stats().PacketsReceived
	eventually(t, "A receives at the new address", func() bool { return a.s.Stats().PacketsReceived > before+10 })
	eventually(t, "A hears 600 Hz after relocating", hears(a, 600))
	eventually(t, "B hears 1000 Hz after relocating", hears(b, 1000))
	cancel()
	require.NoError(t, <-a.done)
	require.NoError(t, <-b.done)
}

// TestRelocateBound: sockets bound to the old address are rebound on the same port before Run,
// and refused while Run runs.
func TestRelocateBound(t *testing.T) {
	p := newPeer(t, 1000, true, nil)
	port := p.s.LocalPort()
	moved := netip.MustParseAddr("127.0.0.2")
	require.NoError(t, p.s.Relocate(moved))
	bound := p.s.rtpConn.LocalAddr().(interface{ AddrPort() netip.AddrPort }).AddrPort()
	require.Equal(t, moved, bound.Addr())
	if runtime.GOOS != "windows" {
		// Windows (and Wine) may refuse the old port on the new address while the old socket is
		// still bound; Relocate then takes a new pair, as documented.
		require.Equal(t, uint16(port), bound.Port())
	}
	offer, err := p.s.Offer()
	require.NoError(t, err)
	require.Contains(t, string(offer), "c=IN IP4 127.0.0.2")

	ctx, cancel := context.WithCancel(context.Background())
	p.run(ctx)
	require.Eventually(t, func() bool { p.s.mu.Lock(); defer p.s.mu.Unlock(); return p.s.running }, 2*time.Second, 10*time.Millisecond)
	require.ErrorIs(t, p.s.Relocate(loopback), ErrRelocateRunning)
	require.ErrorIs(t, p.s.Relocate(netip.Addr{}), ErrBadConfig)
	cancel()
	<-p.done
}
