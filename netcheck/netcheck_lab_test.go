//go:build linux

package netcheck

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/internal/testpeer"
)

// labCheck runs the check from inside ns against coturn (STUN on two
// addresses, TURN over UDP, TCP and TLS) and a TLS server standing in for
// the PBX (coturn's TLS port).
func labCheck(t *testing.T, ns string, c *testpeer.Coturn) Result {
	t.Helper()
	cfg := Config{
		PBX: c.TLSAddr, RootCAs: c.CAPool,
		STUNServers: []string{c.Addr},
		TURNServers: c.URIs(), TURNUsername: c.User, TURNPassword: c.Password, TURNRootCAs: c.CAPool,
		Timeout: 2 * time.Second,
	}
	var r Result
	require.NoError(t, testpeer.InNetns(ns, func() (err error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r, err = Run(ctx, cfg)
		return err
	}))
	t.Logf("%s: verdict %s, NAT %s (%s → %s / %s), RTT %.2f ms, loss %.1f %%, jitter %.2f ms, PBX %.2f ms, findings %v",
		ns, r.Verdict, r.NAT.Type, r.NAT.Local, r.NAT.Mapped, r.NAT.Mapped2, r.Media.RTT.Millis(), r.Media.LossPercent, r.Media.Jitter.Millis(), r.PBX.RTT.Millis(), r.Findings)
	return r
}

// TestCheckInLab: from home the check sees the router's NAT (mapped to
// 198.19.0.1, the same mapping towards coturn's second address), from the
// internet side no NAT; TURN allocates over UDP, TCP and TLS; with UDP
// blocked only TCP and TLS relay and the verdict drops to fair; with 10 %
// loss injected by the router the train measures about that.
func TestCheckInLab(t *testing.T) {
	l := testpeer.NewLab(t)
	c := testpeer.StartCoturn(t, testpeer.CoturnOptions{Netns: l.Internet, IP: l.ServerIP.String(), AltIP: l.ServerIP2.String()})

	home := labCheck(t, l.Home, c)
	require.Equal(t, NATEndpointIndependent, home.NAT.Type)
	require.Contains(t, home.NAT.Mapped, l.PublicIP.String()+":")
	require.Contains(t, home.NAT.Local, l.HomeIP.String()+":")
	require.Contains(t, home.NAT.Mapped2, l.PublicIP.String()+":")
	require.Equal(t, 50, home.Media.Sent)
	require.Equal(t, 50, home.Media.Received)
	require.True(t, home.PBX.OK, home.PBX.Error)
	require.Len(t, home.TURN, 3)
	for _, tr := range home.TURN {
		require.True(t, tr.OK, "%s: %s", tr.URI, tr.Error)
		require.Contains(t, tr.Relayed, l.ServerIP.String()+":")
	}
	require.Equal(t, VerdictGood, home.Verdict, "%v", home.Findings)

	inet := labCheck(t, l.Internet, c)
	require.Equal(t, NATNone, inet.NAT.Type)

	unblock := l.BlockUDP(t)
	blocked := labCheck(t, l.Home, c)
	require.Equal(t, NATBlocked, blocked.NAT.Type)
	require.False(t, blocked.TURN[0].OK, "TURN over UDP is blocked")
	require.True(t, blocked.TURN[1].OK, blocked.TURN[1].Error)
	require.True(t, blocked.TURN[2].OK, blocked.TURN[2].Error)
	require.Equal(t, VerdictFair, blocked.Verdict)
	require.Equal(t, MsgTURNFailed, blocked.Findings[0].Key)
	unblock()

	l.LoseUDP(t, 10)
	var lossy Result
	for range 3 { // 10 % of 50 probes, both ways: 5–35 % is a fair sample; retry a freak
		lossy = labCheck(t, l.Home, c)
		if lossy.Media.LossPercent >= 4 && lossy.Media.LossPercent <= 35 {
			break
		}
	}
	require.InDelta(t, 10, lossy.Media.LossPercent, 10, "loss measured near the injected 10 %%")
	require.Equal(t, VerdictPoor, lossy.Verdict)
}
