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
	Server      string         // "host:port" of the registrar / outbound proxy; every request goes there
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
}

const (
	defaultExpires   = 5 * time.Minute
	defaultKeepAlive = 25 * time.Second
	defaultRetryMax  = 60 * time.Second
)

// withDefaults validates c and fills in defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Server == "" {
		return c, fmt.Errorf("%w: no server", ErrConfig)
	}
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
	host, port, err := net.SplitHostPort(c.Server)
	if err != nil {
		// No port: use the transport's default.
		host = c.Server
		port = "5060"
		if c.Transport == "tls" {
			port = "5061"
		}
		c.Server = net.JoinHostPort(host, port)
	}
	if host == "" {
		return c, fmt.Errorf("%w: server %q has no host", ErrConfig, c.Server)
	}
	if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 {
		return c, fmt.Errorf("%w: server %q has a bad port", ErrConfig, c.Server)
	}
	if c.AuthUser == "" {
		c.AuthUser = c.User
	}
	if c.Domain == "" {
		c.Domain = host
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

// serverHost returns the host of Server (for TLS ServerName).
func (c Config) serverHost() string {
	h, _, _ := net.SplitHostPort(c.Server)
	return h
}
