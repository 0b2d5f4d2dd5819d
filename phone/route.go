package phone

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// routeProbe answers "which local address reaches the SIP server" for the network watcher,
// four times a second for the life of the phone, so each look must be cheap: the server's name
// is resolved once per target (again only after a failure), and on Linux the look is four raw
// system calls (route_linux.go) instead of a dial through the netpoller, which wakes the Go
// runtime's threads during every call.
type routeProbe struct {
	host string     // the target last resolved
	ip   netip.Addr // its address; invalid: resolve again
}

// source returns the local address the system picks to reach host.
func (p *routeProbe) source(host string) (netip.Addr, error) {
	if host == "" {
		return netip.Addr{}, fmt.Errorf("find local address: no server")
	}
	if host != p.host || !p.ip.IsValid() {
		ip, err := resolveHost(host)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("find local address: %w", err)
		}
		p.host, p.ip = host, ip
	}
	src, err := routeFrom(p.ip)
	if err != nil {
		p.ip = netip.Addr{} // the name may lead elsewhere by now
		return netip.Addr{}, fmt.Errorf("find local address: %w", err)
	}
	return src, nil
}

// resolveHost is host's address: the literal itself, or the first the resolver gives.
func resolveHost(host string) (netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap(), nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return netip.Addr{}, err
	}
	if len(ips) == 0 {
		return netip.Addr{}, fmt.Errorf("%s has no address", host)
	}
	return ips[0].Unmap(), nil
}

// routeFromDial is the portable route lookup: a UDP "connect" (no packet leaves).
func routeFromDial(to netip.Addr) (netip.Addr, error) {
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(to, 9)))
	if err != nil {
		return netip.Addr{}, err
	}
	defer conn.Close()
	return conn.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}
