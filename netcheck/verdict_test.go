package netcheck

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestJudge(t *testing.T) {
	ok := []TURNResult{{Transport: TransportTLS, OK: true}}
	good := ProbeResult{Sent: 50, Received: 50, RTT: Duration(20 * time.Millisecond), Jitter: Duration(2 * time.Millisecond)}
	for _, tc := range []struct {
		name string
		r    Result
		want Verdict
		key  string
	}{
		{"clean", Result{PBX: PBXResult{Addr: "pbx", OK: true}, Media: good, NAT: NATResult{Type: NATEndpointIndependent}, TURN: ok}, VerdictGood, MsgAllGood},
		{"pbx down", Result{PBX: PBXResult{Addr: "pbx", Error: "refused"}, Media: good}, VerdictPoor, MsgPBXUnreachable},
		{"5% loss", Result{Media: ProbeResult{Sent: 100, Received: 95, LossPercent: 5}}, VerdictPoor, MsgLossHigh},
		{"2% loss", Result{Media: ProbeResult{Sent: 100, Received: 98, LossPercent: 2}}, VerdictFair, MsgLossSome},
		{"jitter", Result{Media: ProbeResult{Sent: 1, Received: 1, Jitter: Duration(30 * time.Millisecond)}}, VerdictFair, MsgJitterHigh},
		{"far", Result{Media: ProbeResult{Sent: 1, Received: 1, RTT: Duration(400 * time.Millisecond)}}, VerdictPoor, MsgRTTHigh},
		{"udp blocked, relay", Result{NAT: NATResult{Type: NATBlocked}, TURN: ok}, VerdictFair, MsgUDPBlocked},
		{"udp blocked, no relay", Result{NAT: NATResult{Type: NATBlocked}}, VerdictPoor, MsgNoRelay},
		{"symmetric, no relay", Result{Media: good, NAT: NATResult{Type: NATSymmetric}}, VerdictPoor, MsgSymmetricNAT},
		{"symmetric, relay", Result{Media: good, NAT: NATResult{Type: NATSymmetric}, TURN: ok}, VerdictFair, MsgSymmetricNAT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, fs := judge(tc.r)
			require.Equal(t, tc.want, v)
			require.NotEmpty(t, fs)
			require.Equal(t, tc.key, fs[0].Key, "worst finding first")
			require.NotContains(t, fs[0].Text(), "{{", "template filled")
		})
	}
}

func TestFindingText(t *testing.T) {
	f := Finding{Key: MsgLossHigh, Args: map[string]any{"Loss": 5.2}}
	require.Equal(t, "Packet loss is high (5.2 %): voices will break up.", f.Text())
}

func TestParseTURNURIs(t *testing.T) {
	us, err := parseTURNURIs([]string{"turn:198.19.0.2:3478?transport=udp", "turn:t.example?transport=tcp", "turns:t.example:443?transport=tcp", "turns:t.example"})
	require.NoError(t, err)
	require.Equal(t, []TURNURI{
		{URI: "turn:198.19.0.2:3478?transport=udp", Host: "198.19.0.2", Addr: "198.19.0.2:3478", Transport: TransportUDP},
		{URI: "turn:t.example?transport=tcp", Host: "t.example", Addr: "t.example:3478", Transport: TransportTCP},
		{URI: "turns:t.example:443?transport=tcp", Host: "t.example", Addr: "t.example:443", Transport: TransportTLS},
		{URI: "turns:t.example", Host: "t.example", Addr: "t.example:5349", Transport: TransportTLS},
	}, us)
	for _, bad := range []string{"stun:x:1", "turn:?transport=udp", "turn:x:1?transport=sctp", "http://x"} {
		_, err := parseTURNURIs([]string{bad})
		require.Error(t, err, bad)
	}
}

func TestNothingToCheck(t *testing.T) {
	_, err := Run(t.Context(), Config{})
	require.ErrorIs(t, err, ErrNothingToCheck)
}
