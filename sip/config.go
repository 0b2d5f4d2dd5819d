package sip

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"
)

// Config is what a UA needs to register and place calls.
type Config struct {
	Server string // "host:port" of the registrar / outbound proxy; every request goes there
	// Servers are further registrars / outbound proxies ("host:port"),
	// tried in order after Server when one fails (RFC 3263 failover).
	Servers []string
	// SRV looks the servers up by DNS SRV under Domain (RFC 3263 §4.2:
	// _sips._tcp for TLS, _sip._tcp or _sip._udp otherwise), ordered by
	// priority and weight (RFC 2782), before Server and Servers. It is
	// implied when no server is configured.
	SRV bool
	// Resolver answers the SRV and address look-ups (default
	// net.DefaultResolver).
	Resolver    Resolver
	Transport   string         // "tls" (default) | "tcp" | "udp"
	User        string         // SIP user (the user part of the address of record)
	AuthUser    string         // digest user name; default User
	Password    string         // digest password
	Domain      string         // SIP domain and default host of dialled numbers; default host of Server
	DisplayName string         // shown to the called party
	RootCAs     *x509.CertPool // trusted CAs for TLS; nil = system roots
	Expires     time.Duration  // requested registration lifetime; default 5 min
	UserAgent   string         // User-Agent header; default "softphone"
	Logger      *slog.Logger   // default slog.Default(); the UA adds component=sip

	// KeepAlive is the interval of RFC 5626 CRLF keep-alives on TCP/TLS
	// flows (default 25 s; negative disables them).
	KeepAlive time.Duration
	// RetryMax caps the back-off between re-registration attempts after a
	// failure (default 60 s; the first retry comes after 1 s).
	RetryMax time.Duration
	// PongTimeout is how long a keep-alive may go unanswered (no CRLF
	// pong, no message) before the flow counts as dead and the UA
	// registers on a new one (default 10 s).
	PongTimeout time.Duration
	// TargetTimeout bounds one registration attempt at one target before
	// the next is tried (default 5 s).
	TargetTimeout time.Duration
	// FailBack is how often a UA registered at a less preferred target
	// tries the preferred ones again (default 60 s).
	FailBack time.Duration
}

const (
	defaultExpires   = 5 * time.Minute
	defaultKeepAlive = 25 * time.Second
	defaultRetryMax  = 60 * time.Second

	defaultPongTimeout   = 10 * time.Second
	defaultTargetTimeout = 5 * time.Second
	defaultFailBack      = 60 * time.Second
)

// withDefaults validates c and fills in defaults.
func (c Config) withDefaults() (Config, error) {
	if c.User == "" {
		return c, fmt.Errorf("%w: no user name", ErrConfig)
	}
	if strings.ContainsAny(c.User, " <>\"@:;\r\n") {
		return c, fmt.Errorf("%w: user name contains characters not allowed in a SIP address", ErrConfig)
	}
	c.Transport = strings.ToLower(c.Transport)
	switch c.Transport {
	case "":
		c.Transport = "tls"
	case "tls", "tcp", "udp":
	default:
		return c, fmt.Errorf("%w: transport %q (want tls, tcp or udp)", ErrConfig, c.Transport)
	}
	var servers []string
	for _, s := range append([]string{c.Server}, c.Servers...) {
		if s == "" {
			continue
		}
		norm, err := normServer(s, c.Transport)
		if err != nil {
			return c, err
		}
		servers = append(servers, norm)
	}
	c.Servers = servers
	if len(servers) == 0 {
		if c.Domain == "" {
			return c, fmt.Errorf("%w: no server and no domain to look up", ErrConfig)
		}
		c.SRV = true
	} else {
		c.Server = servers[0]
	}
	if c.SRV && c.Domain == "" {
		return c, fmt.Errorf("%w: SRV look-up needs a domain", ErrConfig)
	}
	if c.AuthUser == "" {
		c.AuthUser = c.User
	}
	if c.Domain == "" {
		c.Domain = c.serverHost()
	}
	if c.Resolver == nil {
		c.Resolver = net.DefaultResolver
	}
	if c.PongTimeout <= 0 {
		c.PongTimeout = defaultPongTimeout
	}
	if c.TargetTimeout <= 0 {
		c.TargetTimeout = defaultTargetTimeout
	}
	if c.FailBack <= 0 {
		c.FailBack = defaultFailBack
	}
	if c.Expires <= 0 {
		c.Expires = defaultExpires
	}
	if c.Expires < time.Second {
		c.Expires = time.Second
	}
	if c.UserAgent == "" {
		c.UserAgent = "softphone"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = defaultKeepAlive
	}
	if c.RetryMax <= 0 {
		c.RetryMax = defaultRetryMax
	}
	return c, nil
}

// normServer checks a "host[:port]" server and adds the transport's
// default port.
func normServer(s, transport string) (string, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		// No port: use the transport's default.
		host = s
		port = "5060"
		if transport == "tls" {
			port = "5061"
		}
	}
	if host == "" {
		return "", fmt.Errorf("%w: server %q has no host", ErrConfig, s)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return "", fmt.Errorf("%w: server %q has a bad port", ErrConfig, s)
	}
	return net.JoinHostPort(host, port), nil
}

// serverHost returns the host of Server (for TLS ServerName).
func (c Config) serverHost() string {
	h, _, _ := net.SplitHostPort(c.Server)
	return h
}
