package phone

import (
	"context"
	"crypto/x509"
	"net"

	"softphone/config"
	"softphone/netcheck"
)

// NetcheckConfig is the pre-shift network check's configuration: the PBX
// from the account (TLS, port 5061 by default, verified with roots or the
// account's CA file), the STUN and TURN servers from the policy
// (network.stun_servers, network.turn_servers, network.turn_username,
// network.turn_password).
func NetcheckConfig(st config.Config, roots *x509.CertPool) (netcheck.Config, error) {
	c := netcheck.Config{
		STUNServers: st.Network.STUNServers, TURNServers: st.Network.TURNServers,
		TURNUsername: st.Network.TURNUsername, TURNPassword: st.Network.TURNPassword,
	}
	if srv := st.Account.Server; srv != "" {
		if _, _, err := net.SplitHostPort(srv); err != nil {
			srv = net.JoinHostPort(srv, "5061")
		}
		c.PBX = srv
		if st.Account.Transport != "" && st.Account.Transport != "tls" {
			c.PBX = "" // a lab transport: no TLS to measure
		}
	}
	roots, err := accountRoots(roots, st.Account)
	if err != nil {
		return c, err
	}
	c.RootCAs = roots
	// A turns: server of the organisation is verified like the PBX when a
	// private CA is configured; the system roots otherwise.
	c.TURNRootCAs = roots
	return c, nil
}

// CheckNetwork runs the pre-shift network check (netcheck.Run) with the
// agent's settings: loss, jitter and round trip to the STUN/TURN servers,
// the NAT type, TURN reachability and the PBX's round trip. It needs no
// registration and may run before the first call.
func (a *Agent) CheckNetwork(ctx context.Context) (netcheck.Result, error) {
	cfg, err := NetcheckConfig(a.Settings(), a.cfg.RootCAs)
	if err != nil {
		return netcheck.Result{}, err
	}
	return netcheck.Run(ctx, cfg)
}
