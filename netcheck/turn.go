package netcheck

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/pion/logging"
	"github.com/pion/turn/v5"
)

// Transport is how a TURN server is reached.
type Transport int

// Transports (RFC 7065: turn:…?transport=udp|tcp, turns: is TLS over TCP).
const (
	TransportUDP Transport = iota
	TransportTCP
	TransportTLS
)

// String returns "udp", "tcp" or "tls".
func (t Transport) String() string {
	switch t {
	case TransportTCP:
		return "tcp"
	case TransportTLS:
		return "tls"
	}
	return "udp"
}

// MarshalText writes String().
func (t Transport) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// TURNURI is one parsed TURN server.
type TURNURI struct {
	URI       string
	Host      string
	Addr      string // host:port
	Transport Transport
}

// parseTURNURIs parses RFC 7065 URIs; the default port is 3478 (turn:) or
// 5349 (turns:), the default transport UDP (turn:) or TLS (turns:).
func parseTURNURIs(uris []string) ([]TURNURI, error) {
	var out []TURNURI
	for _, s := range uris {
		scheme, rest, ok := strings.Cut(s, ":")
		if !ok || (scheme != "turn" && scheme != "turns") {
			return nil, fmt.Errorf("netcheck: TURN server %q: want turn:host:port or turns:host:port", s)
		}
		hostport, query, _ := strings.Cut(rest, "?")
		q, err := url.ParseQuery(query)
		if err != nil {
			return nil, fmt.Errorf("netcheck: TURN server %q: %w", s, err)
		}
		host, port, err := net.SplitHostPort(hostport)
		if err != nil {
			host, port = hostport, "3478"
			if scheme == "turns" {
				port = "5349"
			}
		}
		if host == "" {
			return nil, fmt.Errorf("netcheck: TURN server %q has no host", s)
		}
		u := TURNURI{URI: s, Host: host, Addr: net.JoinHostPort(host, port)}
		switch tr := q.Get("transport"); {
		case scheme == "turns":
			u.Transport = TransportTLS
		case tr == "tcp":
			u.Transport = TransportTCP
		case tr == "" || tr == "udp":
			u.Transport = TransportUDP
		default:
			return nil, fmt.Errorf("netcheck: TURN server %q: unknown transport %q", s, tr)
		}
		out = append(out, u)
	}
	return out, nil
}

// TURNResult says whether a TURN server gave us a relay.
type TURNResult struct {
	URI       string    `json:"uri"`
	Transport Transport `json:"transport"`
	OK        bool      `json:"ok"`
	// Relayed is the relay address the server allocated.
	Relayed string `json:"relayed,omitempty"`
	// Connect is the TCP (and TLS) set-up time; Allocate the time of the
	// authenticated allocation (two round trips: 401, then 200).
	Connect  Duration `json:"connect_ms"`
	Allocate Duration `json:"allocate_ms"`
	Error    string   `json:"error,omitempty"`
}

// checkTURN allocates a UDP relay on u and releases it.
func checkTURN(ctx context.Context, cfg Config, u TURNURI) TURNResult {
	r := TURNResult{URI: u.URI, Transport: u.Transport}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	start := time.Now()
	conn, err := turnConn(ctx, cfg, u)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer conn.Close()
	r.Connect = Duration(time.Since(start))
	lf := logging.NewDefaultLoggerFactory()
	lf.DefaultLogLevel = logging.LogLevelDisabled
	c, err := turn.NewClient(&turn.ClientConfig{
		STUNServerAddr: u.Addr, TURNServerAddr: u.Addr, Conn: conn,
		Username: cfg.TURNUsername, Password: cfg.TURNPassword, LoggerFactory: lf,
		// A relay for IPv4 peers: the far ends of calls are IPv4 PBXs and
		// gateways (an IPv6 socket would otherwise ask for an IPv6 relay).
		RequestedAddressFamily: turn.RequestedAddressFamilyIPv4,
	})
	if err != nil {
		r.Error = err.Error()
		return r
	}
	defer c.Close()
	if err := c.Listen(); err != nil {
		r.Error = err.Error()
		return r
	}
	start = time.Now()
	relay, err := c.AllocateWithContext(ctx)
	if err != nil {
		r.Error = "allocation failed: " + err.Error()
		return r
	}
	r.Allocate = Duration(time.Since(start))
	r.OK, r.Relayed = true, relay.LocalAddr().String()
	_ = relay.Close()
	return r
}

// turnConn is the packet connection to the server: a UDP socket, or a
// TCP/TLS stream framed as STUN messages.
func turnConn(ctx context.Context, cfg Config, u TURNURI) (net.PacketConn, error) {
	switch u.Transport {
	case TransportTCP:
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", u.Addr)
		if err != nil {
			return nil, err
		}
		return turn.NewSTUNConn(c), nil
	case TransportTLS:
		d := tls.Dialer{Config: &tls.Config{ServerName: u.Host, RootCAs: cfg.TURNRootCAs, MinVersion: tls.VersionTLS12}}
		c, err := d.DialContext(ctx, "tcp", u.Addr)
		if err != nil {
			return nil, err
		}
		return turn.NewSTUNConn(c), nil
	}
	return net.ListenPacket("udp", ":0")
}
