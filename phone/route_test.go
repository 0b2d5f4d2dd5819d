package phone

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// The raw route lookup must pick the address the system's own dial picks, for either family.
func TestRouteFromMatchesDial(t *testing.T) {
	for _, to := range []string{"127.0.0.1", "127.3.4.5", "::1"} {
		ip := netip.MustParseAddr(to)
		want, err := routeFromDial(ip)
		if err != nil {
			t.Logf("%s: no route here (%v)", to, err)
			continue
		}
		got, err := routeFrom(ip)
		require.NoError(t, err, to)
		require.Equal(t, want, got, to)
	}
}

func TestRouteProbeResolvesOncePerTarget(t *testing.T) {
	var p routeProbe
	src, err := p.source("localhost")
	require.NoError(t, err)
	require.True(t, src.IsLoopback(), "source %v", src)
	resolved := p.ip
	require.True(t, resolved.IsValid())
	p.ip = netip.MustParseAddr("127.0.0.2") // a second look must use the cached address
	src, err = p.source("localhost")
	require.NoError(t, err)
	require.Equal(t, netip.MustParseAddr("127.0.0.1"), src)
	require.Equal(t, netip.MustParseAddr("127.0.0.2"), p.ip)
	src, err = p.source("127.0.0.1") // a new target is resolved anew
	require.NoError(t, err)
	require.Equal(t, netip.MustParseAddr("127.0.0.1"), p.ip)
	require.Equal(t, netip.MustParseAddr("127.0.0.1"), src)

	_, err = p.source("")
	require.Error(t, err)
	_, err = p.source("no-such-host.invalid")
	require.Error(t, err)
}
