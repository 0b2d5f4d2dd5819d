//go:build linux

package testpeer

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Lab is a home network built out of network namespaces: the agent's
// namespace Home reaches the Internet namespace only through Router, which
// forwards and masquerades (nftables) on its outside interface, like a home
// router. Addresses come from 198.18.0.0/15 only:
//
//	Home   wifi 198.18.0.2/24 ── router in0 198.18.0.1   (default route)
//	       lte  198.18.1.2/24 ── router in1 198.18.1.1   (second uplink, for SwitchUplink)
//	Router out0 198.19.0.1/24 ── internet0 198.19.0.2 and 198.19.0.3 (the servers)
//
// The internet side has no route back to 198.18.0.0/16: what is not NATed
// does not arrive, as on the real Internet. Every namespace is removed in
// t.Cleanup, after the processes started in it (cleanups run last-in,
// first-out).
type Lab struct {
	// Home, Router and Internet are the namespace names, unique per lab.
	Home, Router, Internet string
	// HomeIP is the agent's current address (SwitchUplink and ChangeHomeIP
	// change it); Gateway is the router's address on that link.
	HomeIP, Gateway netip.Addr
	// PublicIP is the router's outside address: what servers see as the
	// agent's source address.
	PublicIP netip.Addr
	// ServerIP and ServerIP2 are two addresses of the internet namespace
	// (Kamailio, baresip and coturn bind ServerIP; ServerIP2 is a second
	// server address, e.g. coturn's alternate for NAT-type checks).
	ServerIP, ServerIP2 netip.Addr

	mu     sync.Mutex
	uplink string // "wifi" or "lte": the home interface with the default route
	nextIP byte   // last octet of the next ChangeHomeIP address
}

// Interface names inside the namespaces (names are per namespace, so
// every lab uses the same ones).
const (
	labHomeWifi   = "wifi"
	labHomeLTE    = "lte"
	labRouterIn0  = "in0"
	labRouterIn1  = "in1"
	labRouterOut  = "out0"
	labInternetIf = "internet0"
)

var labSeq atomic.Int64

// RequireNetlab skips the test unless it can build a Lab: not under -short,
// as root, with ip and nft installed. In CI the tests run as root.
func RequireNetlab(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping network-namespace test in -short mode")
	}
	if os.Geteuid() != 0 {
		t.Skip("the namespace home network needs root (ip netns, nftables); run the tests as root, as CI does")
	}
	for _, bin := range []string{"ip", "nft"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (scripts/deps.sh test installs iproute2 nftables); skipping", bin)
		}
	}
}

// NewLab builds the home network and removes it at the end of the test. It
// skips as RequireNetlab does.
func NewLab(t testing.TB) *Lab {
	t.Helper()
	RequireNetlab(t)
	prefix := fmt.Sprintf("nl%d-%d", os.Getpid(), labSeq.Add(1))
	l := &Lab{
		Home: prefix + "-home", Router: prefix + "-router", Internet: prefix + "-internet",
		HomeIP:    netip.MustParseAddr("198.18.0.2"),
		Gateway:   netip.MustParseAddr("198.18.0.1"),
		PublicIP:  netip.MustParseAddr("198.19.0.1"),
		ServerIP:  netip.MustParseAddr("198.19.0.2"),
		ServerIP2: netip.MustParseAddr("198.19.0.3"),
		uplink:    labHomeWifi,
		nextIP:    10,
	}
	for _, ns := range []string{l.Home, l.Router, l.Internet} {
		runIP(t, "netns", "add", ns)
		t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
		runIP(t, "-n", ns, "link", "set", "lo", "up")
	}
	l.link(t, l.Home, labHomeWifi, "198.18.0.2/24", labRouterIn0, "198.18.0.1/24")
	l.link(t, l.Home, labHomeLTE, "198.18.1.2/24", labRouterIn1, "198.18.1.1/24")
	l.Exec(t, l.Home, "sysctl", "-q", "-w", "net.ipv4.conf.all.promote_secondaries=1")
	runIP(t, "-n", l.Router, "link", "add", labRouterOut, "type", "veth", "peer", "name", labInternetIf, "netns", l.Internet)
	runIP(t, "-n", l.Router, "addr", "add", "198.19.0.1/24", "dev", labRouterOut)
	runIP(t, "-n", l.Router, "link", "set", labRouterOut, "up")
	runIP(t, "-n", l.Internet, "addr", "add", "198.19.0.2/24", "dev", labInternetIf)
	runIP(t, "-n", l.Internet, "addr", "add", "198.19.0.3/24", "dev", labInternetIf)
	runIP(t, "-n", l.Internet, "link", "set", labInternetIf, "up")
	runIP(t, "-n", l.Home, "route", "add", "default", "via", "198.18.0.1", "dev", labHomeWifi)

	l.Exec(t, l.Router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1")
	// Like every home router, it drops what the internet starts towards the
	// router itself. That matters for NAT: a datagram that arrives before
	// the agent's first one out would otherwise leave a conntrack entry that
	// makes masquerade pick another source port than the agent's SDP says
	// (dropped in the input hook, the entry is never confirmed).
	l.nft(t, fmt.Sprintf(`table ip nat {
	chain post {
		type nat hook postrouting priority 100;
		oifname %q masquerade
	}
}
table ip filter {
	chain forward {
		type filter hook forward priority 0;
		ct state invalid counter drop
	}
	chain input {
		type filter hook input priority 0;
		iifname %q ct state new counter drop
	}
}
`, labRouterOut, labRouterOut))
	return l
}

// link makes a veth pair between the home namespace (homeIf, homeCIDR) and
// the router (routerIf, routerCIDR), both up.
func (l *Lab) link(t testing.TB, home, homeIf, homeCIDR, routerIf, routerCIDR string) {
	t.Helper()
	runIP(t, "-n", l.Router, "link", "add", routerIf, "type", "veth", "peer", "name", homeIf, "netns", home)
	runIP(t, "-n", l.Router, "addr", "add", routerCIDR, "dev", routerIf)
	runIP(t, "-n", l.Router, "link", "set", routerIf, "up")
	runIP(t, "-n", home, "addr", "add", homeCIDR, "dev", homeIf)
	runIP(t, "-n", home, "link", "set", homeIf, "up")
}

// Command returns a command that runs name inside the namespace ns (through
// `ip netns exec`, which execs it: the process is the command itself).
func (l *Lab) Command(ns, name string, args ...string) *exec.Cmd {
	return NetnsCommand(ns, name, args...)
}

// Exec runs name inside ns and returns its output; it fails the test when
// the command fails.
func (l *Lab) Exec(t testing.TB, ns, name string, args ...string) string {
	t.Helper()
	out, err := l.Command(ns, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("in %s: %s %s: %v\n%s", ns, name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// nft loads an nftables script into the router.
func (l *Lab) nft(t testing.TB, script string) {
	t.Helper()
	cmd := l.Command(l.Router, "nft", "-f", "-")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nft in %s: %v\n%s\n%s", l.Router, err, out, script)
	}
}

func runIP(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
		t.Fatalf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}
