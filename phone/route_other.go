//go:build !linux

package phone

import "net/netip"

// routeFrom returns the local address the system picks to reach to.
func routeFrom(to netip.Addr) (netip.Addr, error) { return routeFromDial(to) }
