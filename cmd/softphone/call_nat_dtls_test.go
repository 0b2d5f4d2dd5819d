//go:build linux

package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"softphone/internal/testpeer"
)

// newDTLSNATLab is newNATLab with baresip keying its calls by DTLS-SRTP (dtls_srtp module).
func newDTLSNATLab(t *testing.T) *natLab {
	t.Helper()
	l := testpeer.NewLab(t)
	ip := l.ServerIP.String()
	k := testpeer.StartKamailioWith(t, map[string]string{"1000": "sip-secret-1000", "2000": "farpw"},
		testpeer.KamailioOptions{Netns: l.Internet, IP: ip, NATHelper: true})
	b := testpeer.StartBaresip(t, k, "2000", "farpw", testpeer.BaresipOptions{AutoAnswer: true, ToneHz: 440,
		Netns: l.Internet, IP: ip, DTLSSRTP: true})
	return &natLab{lab: l, k: k, b: b}
}

// requireDTLSKeyed checks that the phone's call was keyed by DTLS-SRTP.
func requireDTLSKeyed(t *testing.T, r natResult) {
	t.Helper()
	for _, e := range eventsNamed(r.Events, "call_state") {
		if e["state"] == "active" && e["key_exchange"] == "DTLS" && e["srtp"] != "" {
			return
		}
	}
	t.Fatalf("the call was not keyed by DTLS-SRTP: %s", r.Out)
}

// TestDTLSCallThroughNAT: the phone behind the home router's NAT (no ICE) calls baresip with
// DTLS-SRTP. The phone offers actpass and baresip answers active, so baresip's ClientHello must
// come in through the NAT: the phone's empty datagrams (RFC 6263) open the mapping first.
func TestDTLSCallThroughNAT(t *testing.T) {
	if testpeer.InChild() {
		natPhone(t)
		return
	}
	n := newDTLSNATLab(t)
	ch := n.phone(t, "call", 4*time.Second)
	ch.Wait(t, 90*time.Second)
	var r natResult
	ch.Result(t, &r)
	requireDTLSKeyed(t, r)
	n.requireTwoWayAudio(t, r)
	require.Contains(t, n.b.Log(), "DTLS-SRTP complete")
}

// TestDTLSCallIntoNAT: baresip calls the phone behind the NAT; the phone answers active and its
// ClientHello opens the mapping itself.
func TestDTLSCallIntoNAT(t *testing.T) {
	if testpeer.InChild() {
		natPhone(t)
		return
	}
	n := newDTLSNATLab(t)
	ch := n.phone(t, "answer", 4*time.Second)
	n.waitRegistered(t, ch)
	n.b.Dial(t, "sip:1000@"+n.k.Domain)
	n.b.WaitEvent(t, "CALL_ESTABLISHED", 15*time.Second)
	ch.Wait(t, 60*time.Second)
	var r natResult
	ch.Result(t, &r)
	requireDTLSKeyed(t, r)
	n.requireTwoWayAudio(t, r)
}
