//go:build linux

package testpeer

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BlockUDP makes the router drop every UDP datagram the home network sends
// towards the internet (TCP, and so TLS, still passes), like a restrictive
// corporate or hotel network. The returned func lifts the block; it is also
// lifted at the end of the test.
func (l *Lab) BlockUDP(t testing.TB) (unblock func()) {
	t.Helper()
	l.nft(t, fmt.Sprintf(`table ip netlab_block {
	chain forward {
		type filter hook forward priority -10;
		iifname { %q, %q } meta l4proto udp counter drop
	}
}
`, labRouterIn0, labRouterIn1))
	done := false
	unblock = func() {
		if !done {
			done = true
			_ = l.Command(l.Router, "nft", "delete", "table", "ip", "netlab_block").Run()
		}
	}
	t.Cleanup(unblock)
	return unblock
}

// BlockedUDP returns how many datagrams BlockUDP dropped so far.
func (l *Lab) BlockedUDP(t testing.TB) int {
	t.Helper()
	out, err := l.Command(l.Router, "nft", "list", "table", "ip", "netlab_block").CombinedOutput()
	if err != nil {
		return 0
	}
	return nftPackets(string(out))
}

// nftPackets reads the first "counter packets N" of an nft listing.
func nftPackets(listing string) int {
	_, rest, ok := strings.Cut(listing, "counter packets ")
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(strings.Fields(rest)[0])
	return n
}

// SetConntrackTimeouts shortens how long the router's NAT keeps an idle
// UDP mapping (nf_conntrack_udp_timeout and _udp_timeout_stream) and an
// idle established TCP connection (nf_conntrack_tcp_timeout_established),
// like a cheap home router, and makes it strict about forgotten TCP
// connections. Zero leaves a value as it is. The sysctls are
// per namespace: only this lab's router changes.
func (l *Lab) SetConntrackTimeouts(t testing.TB, udp, tcpEstablished time.Duration) {
	t.Helper()
	sec := func(d time.Duration) string { return strconv.Itoa(max(1, int(d.Round(time.Second)/time.Second))) }
	if udp > 0 {
		l.Exec(t, l.Router, "sysctl", "-q", "-w", "net.netfilter.nf_conntrack_udp_timeout="+sec(udp),
			"net.netfilter.nf_conntrack_udp_timeout_stream="+sec(udp))
	}
	if tcpEstablished > 0 {
		// tcp_loose=0: a forgotten connection is not picked up again in
		// mid-stream (Linux does by default, which would heal the mapping
		// with the next packet out); its packets are invalid and dropped
		// (the forward chain), as on a strict home router.
		l.Exec(t, l.Router, "sysctl", "-q", "-w", "net.netfilter.nf_conntrack_tcp_timeout_established="+sec(tcpEstablished),
			"net.netfilter.nf_conntrack_tcp_loose=0")
	}
}

// SwitchUplink moves the agent to its other link (Wi-Fi → LTE and back):
// the default route goes to the other interface, and the old one loses its
// address and goes down, so sockets bound to the old address stop working.
// It returns the new address (also in l.HomeIP).
func (l *Lab) SwitchUplink(t testing.TB) netip.Addr {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	from, to, subnet := labHomeWifi, labHomeLTE, "198.18.1"
	if l.uplink == labHomeLTE {
		from, to, subnet = labHomeLTE, labHomeWifi, "198.18.0"
	}
	runIP(t, "-n", l.Home, "link", "set", to, "up")
	if !l.hasAddr(t, to) {
		runIP(t, "-n", l.Home, "addr", "add", subnet+".2/24", "dev", to)
	}
	runIP(t, "-n", l.Home, "route", "replace", "default", "via", subnet+".1", "dev", to)
	runIP(t, "-n", l.Home, "addr", "flush", "dev", from)
	runIP(t, "-n", l.Home, "link", "set", from, "down")
	l.uplink = to
	l.HomeIP = netip.MustParseAddr(subnet + ".2")
	l.Gateway = netip.MustParseAddr(subnet + ".1")
	return l.HomeIP
}

// ChangeHomeIP gives the agent a new address on its current link (as a
// DHCP renewal with a new lease would) and removes the old one; the default
// route stays. It returns the new address (also in l.HomeIP).
func (l *Lab) ChangeHomeIP(t testing.TB) netip.Addr {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.HomeIP
	next := netip.AddrFrom4([4]byte{198, 18, old.As4()[2], l.nextIP})
	l.nextIP++
	runIP(t, "-n", l.Home, "addr", "add", next.String()+"/24", "dev", l.uplink)
	runIP(t, "-n", l.Home, "addr", "del", old.String()+"/24", "dev", l.uplink)
	runIP(t, "-n", l.Home, "route", "replace", "default", "via", l.Gateway.String(), "dev", l.uplink, "src", next.String())
	l.HomeIP = next
	return next
}

func (l *Lab) hasAddr(t testing.TB, dev string) bool {
	t.Helper()
	out, err := l.Command(l.Home, "ip", "-4", "-o", "addr", "show", "dev", dev).CombinedOutput()
	return err == nil && strings.Contains(string(out), "inet ")
}

// Redirect makes the router hand UDP datagrams from home to dst over to
// relay (an address of the router, e.g. a netem relay made with
// ListenPacketNetns(l.Router, …) on l.Gateway), transparently: the relay's
// replies reach home as if from dst (conntrack undoes the DNAT). The relay
// forwards to dst itself, from the router's outside address. The returned
// func removes the redirect; it is also removed at the end of the test.
func (l *Lab) Redirect(t testing.TB, dst, relay netip.AddrPort) (remove func()) {
	t.Helper()
	table := fmt.Sprintf("netlab_redirect_%d", dst.Port())
	l.nft(t, fmt.Sprintf(`table ip %s {
	chain pre {
		type nat hook prerouting priority -110;
		iifname { %q, %q } ip daddr %s udp dport %d dnat to %s
	}
}
`, table, labRouterIn0, labRouterIn1, dst.Addr(), dst.Port(), relay))
	done := false
	remove = func() {
		if !done {
			done = true
			_ = l.Command(l.Router, "nft", "delete", "table", "ip", table).Run()
		}
	}
	t.Cleanup(remove)
	return remove
}

// LoseUDP makes the router drop percent % of the UDP datagrams from home to
// the internet, at random (nftables numgen; the kernel has no netem). The
// returned func ends the loss; it also ends with the test.
func (l *Lab) LoseUDP(t testing.TB, percent int) (stop func()) {
	t.Helper()
	return l.loseUDP(t, "netlab_loss", "iifname", percent)
}

// LoseUDPInbound makes the router drop percent % of the UDP datagrams from
// the internet to home, like LoseUDP the other way; both together make a
// lossy line in both directions.
func (l *Lab) LoseUDPInbound(t testing.TB, percent int) (stop func()) {
	t.Helper()
	return l.loseUDP(t, "netlab_loss_in", "oifname", percent)
}

// loseUDP drops percent % of the forwarded UDP datagrams whose home-side
// interface matches by dir ("iifname": from home, "oifname": to home).
func (l *Lab) loseUDP(t testing.TB, table, dir string, percent int) (stop func()) {
	t.Helper()
	l.nft(t, fmt.Sprintf(`table ip %s {
	chain forward {
		type filter hook forward priority -5;
		%s { %q, %q } meta l4proto udp numgen random mod 100 < %d counter drop
	}
}
`, table, dir, labRouterIn0, labRouterIn1, percent))
	done := false
	stop = func() {
		if !done {
			done = true
			_ = l.Command(l.Router, "nft", "delete", "table", "ip", table).Run()
		}
	}
	t.Cleanup(stop)
	return stop
}

// SymmetricNAT makes the router's NAT give every new flow a random source
// port (masquerade fully-random): the mapping depends on the destination,
// as on carrier-grade and some office NATs, so STUN answers from two
// servers differ and only a TURN relay gets media through reliably.
func (l *Lab) SymmetricNAT(t testing.TB) {
	t.Helper()
	l.nft(t, fmt.Sprintf(`flush chain ip nat post
add rule ip nat post oifname %q masquerade fully-random
`, labRouterOut))
}
