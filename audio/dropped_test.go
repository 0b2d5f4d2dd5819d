package audio

import (
	"context"
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Garbage sent to the RTP port is counted, not only logged at debug level: runts (shorter than an
// RTP header) in Dropped, forged packets in SRTPFailures; the call's audio is unaffected.
func TestGarbageIsCounted(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	a := newPeer(t, 1000, false, nil)
	b := newPeer(t, 600, false, nil)
	negotiate(t, a, b)
	ctx, cancel := context.WithCancel(context.Background())
	a.run(ctx)
	b.run(ctx)
	eventually(t, "B hears 1000 Hz", hears(b, 1000))
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(b.s.LocalPort()))))
	require.NoError(t, err)
	for i := range 30 {
		_, err := conn.Write([]byte{0x80, byte(i)}) // runt
		require.NoError(t, err)
		forged := make([]byte, 12+160+16)
		forged[0], forged[1], forged[3] = 0x80, 8, byte(i)
		_, err = conn.Write(forged)
		require.NoError(t, err)
	}
	require.NoError(t, conn.Close())
	eventually(t, "runts counted as dropped", func() bool { return b.s.Stats().Dropped >= 30 })
	eventually(t, "forgeries counted as SRTP failures", func() bool { return b.s.Stats().SRTPFailures >= 30 })
	assert.True(t, hears(b, 1000)(), "audio unaffected")
	cancel()
	require.NoError(t, <-a.done)
	require.NoError(t, <-b.done)
}
