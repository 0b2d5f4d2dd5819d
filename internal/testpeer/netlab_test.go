//go:build linux

package testpeer

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// udpSource sends one datagram from ns to dst and returns the source address
// the server in the internet namespace saw ("" when nothing arrived).
func udpSource(t *testing.T, l *Lab, dst string) string {
	t.Helper()
	srv, err := ListenPacketNetns(l.Internet, "udp4", dst)
	require.NoError(t, err)
	defer srv.Close()
	c, err := DialNetns(l.Home, "udp4", dst, time.Second)
	require.NoError(t, err)
	defer c.Close()
	_, err = c.Write([]byte("hello"))
	require.NoError(t, err)
	_ = srv.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	buf := make([]byte, 64)
	_, from, err := srv.ReadFrom(buf)
	if err != nil {
		return ""
	}
	return from.(*net.UDPAddr).IP.String()
}

// TestLabNAT: the home namespace reaches the internet only through the
// router's masquerade; the internet cannot reach the home address; BlockUDP
// drops UDP and keeps TCP; SwitchUplink and ChangeHomeIP give new addresses
// that still get out.
func TestLabNAT(t *testing.T) {
	l := NewLab(t)
	require.Equal(t, l.PublicIP.String(), udpSource(t, l, "198.19.0.2:40000"), "masqueraded to the router's address")
	require.Equal(t, l.PublicIP.String(), udpSource(t, l, "198.19.0.3:40000"))

	_, err := DialNetns(l.Internet, "tcp4", l.HomeIP.String()+":9", 300*time.Millisecond)
	require.Error(t, err, "the internet has no route to the home network")

	unblock := l.BlockUDP(t)
	require.Equal(t, "", udpSource(t, l, "198.19.0.2:40001"), "UDP blocked")
	require.Positive(t, l.BlockedUDP(t))
	ln, err := func() (net.Listener, error) {
		var ln net.Listener
		err := InNetns(l.Internet, func() (err error) { ln, err = net.Listen("tcp4", "198.19.0.2:40002"); return err })
		return ln, err
	}()
	require.NoError(t, err)
	defer ln.Close()
	c, err := DialNetns(l.Home, "tcp4", "198.19.0.2:40002", time.Second)
	require.NoError(t, err, "TCP passes while UDP is blocked")
	c.Close()
	unblock()
	require.Equal(t, l.PublicIP.String(), udpSource(t, l, "198.19.0.2:40003"))

	old := l.HomeIP
	require.Equal(t, netip.MustParseAddr("198.18.1.2"), l.SwitchUplink(t))
	require.Equal(t, l.PublicIP.String(), udpSource(t, l, "198.19.0.2:40004"))
	_, err = ListenPacketNetns(l.Home, "udp4", old.String()+":0")
	require.Error(t, err, "the old address is gone")
	moved := l.ChangeHomeIP(t)
	require.NotEqual(t, netip.MustParseAddr("198.18.1.2"), moved)
	require.Equal(t, l.PublicIP.String(), udpSource(t, l, "198.19.0.2:40005"))
	l.SetConntrackTimeouts(t, 7*time.Second, 9*time.Second)
	require.Contains(t, l.Exec(t, l.Router, "sysctl", "net.netfilter.nf_conntrack_udp_timeout"), "= 7")
}

// TestCoturnInLab: coturn starts in the internet namespace and accepts TLS
// from home through the NAT.
func TestCoturnInLab(t *testing.T) {
	l := NewLab(t)
	c := StartCoturn(t, CoturnOptions{Netns: l.Internet, IP: l.ServerIP.String(), AltIP: l.ServerIP2.String()})
	conn, err := DialNetns(l.Home, "tcp4", c.TLSAddr, time.Second)
	require.NoError(t, err)
	conn.Close()
	require.Equal(t, "198.19.0.2:443", c.TLSAddr)
}
