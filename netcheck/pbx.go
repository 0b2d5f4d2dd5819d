package netcheck

import (
	"context"
	"crypto/tls"
	"net"
	"time"
)

// PBXResult is how fast the PBX answers: TCP connect time is one round
// trip; the TLS handshake one more (TLS 1.3) or two (1.2).
type PBXResult struct {
	Addr      string   `json:"addr,omitempty"`
	OK        bool     `json:"ok"`
	RTT       Duration `json:"rtt_ms"`
	Handshake Duration `json:"tls_ms"`
	Error     string   `json:"error,omitempty"`
}

// checkPBX connects to the PBX over TCP (the best of three connects is the
// RTT) and does one verified TLS handshake.
func checkPBX(ctx context.Context, cfg Config) PBXResult {
	r := PBXResult{Addr: cfg.PBX}
	var d net.Dialer
	d.Timeout = cfg.Timeout
	var best time.Duration
	var conn net.Conn
	for i := 0; i < 3; i++ {
		start := time.Now()
		c, err := d.DialContext(ctx, "tcp", cfg.PBX)
		if err != nil {
			r.Error = err.Error()
			return r
		}
		if rtt := time.Since(start); best == 0 || rtt < best {
			best = rtt
		}
		if conn != nil {
			conn.Close()
		}
		conn = c
	}
	r.RTT = Duration(best)
	name := cfg.ServerName
	if name == "" {
		name, _, _ = net.SplitHostPort(cfg.PBX)
	}
	tc := tls.Client(conn, &tls.Config{ServerName: name, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12})
	defer tc.Close()
	hctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	start := time.Now()
	if err := tc.HandshakeContext(hctx); err != nil {
		r.Error = err.Error()
		return r
	}
	r.Handshake = Duration(time.Since(start))
	r.OK = true
	return r
}
