package testpeer

import (
	"crypto/x509"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"softphone/internal/pki"
)

// CoturnOptions configures the TURN server (Debian coturn 4.6.1).
type CoturnOptions struct {
	// Netns runs turnserver inside that namespace (a Lab's Internet); empty:
	// the test's own.
	Netns string
	// IP is the address it listens on and relays from (default 127.0.0.1);
	// AltIP, when set, is a second listening address (STUN from two server
	// addresses, RFC 5780 OTHER-ADDRESS).
	IP, AltIP string
	// Port is the STUN/TURN port for UDP and TCP (default 3478 in a
	// namespace, a free port otherwise); TLSPort the TURN-over-TLS port
	// (default 443 in a namespace, a free port otherwise).
	Port, TLSPort int
	// User and Password are the long-term credentials (default "agent" and
	// "turn-secret"); Realm defaults to "softphone.test".
	User, Password, Realm string
}

// Coturn is a running TURN/STUN server.
type Coturn struct {
	// Addr is host:port of STUN/TURN over UDP and TCP; TLSAddr of TURN over
	// TLS (certificate for IP and "turn.test", issued by CAPool/CAFile).
	Addr, TLSAddr string
	// AltAddr is host:port on AltIP ("" without it).
	AltAddr               string
	User, Password, Realm string
	CAFile                string
	CAPool                *x509.CertPool

	proc *process
}

// StartCoturn starts turnserver with long-term credentials, UDP and TCP on
// Port and TLS on TLSPort, no CLI and no database, and waits until it
// accepts TCP. It skips under -short or when turnserver is not installed
// (Debian: coturn); the server is stopped in t.Cleanup.
func StartCoturn(t testing.TB, opts CoturnOptions) *Coturn {
	t.Helper()
	bin := requireBinary(t, "turnserver")
	if opts.IP == "" {
		opts.IP = "127.0.0.1"
	}
	if opts.Port == 0 {
		opts.Port = 3478
		if opts.Netns == "" {
			opts.Port = FreePort(t)
		}
	}
	if opts.TLSPort == 0 {
		opts.TLSPort = 443
		if opts.Netns == "" {
			opts.TLSPort = FreePort(t)
		}
	}
	if opts.User == "" {
		opts.User, opts.Password = "agent", "turn-secret"
	}
	if opts.Realm == "" {
		opts.Realm = "softphone.test"
	}
	dir := t.TempDir()
	ca, err := pki.NewCA("testpeer coturn CA")
	if err != nil {
		t.Fatal(err)
	}
	hosts := []string{"turn.test", opts.IP}
	if opts.AltIP != "" {
		hosts = append(hosts, opts.AltIP)
	}
	leaf, err := ca.Issue(hosts...)
	if err != nil {
		t.Fatal(err)
	}
	caFile, certFile, keyFile, err := pki.WriteFiles(dir, ca, leaf)
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-n", "--no-cli", "--simple-log", "--log-file=stdout", "--fingerprint",
		"--lt-cred-mech", "--user=" + opts.User + ":" + opts.Password, "--realm=" + opts.Realm,
		"--listening-ip=" + opts.IP, "--relay-ip=" + opts.IP,
		"--listening-port=" + strconv.Itoa(opts.Port), "--tls-listening-port=" + strconv.Itoa(opts.TLSPort),
		"--cert=" + certFile, "--pkey=" + keyFile, "--no-dtls", "--no-tlsv1", "--no-tlsv1_1",
		"--min-port=49152", "--max-port=65535",
		"--userdb=" + filepath.Join(dir, "turndb"), "--pidfile=" + filepath.Join(dir, "turnserver.pid"),
	}
	if opts.IP == "127.0.0.1" {
		args = append(args, "--allow-loopback-peers")
	}
	if opts.AltIP != "" {
		args = append(args, "--listening-ip="+opts.AltIP)
	}
	cmd := NetnsCommand(opts.Netns, bin, args...)
	cmd.Dir = dir
	c := &Coturn{
		Addr:    net.JoinHostPort(opts.IP, strconv.Itoa(opts.Port)),
		TLSAddr: net.JoinHostPort(opts.IP, strconv.Itoa(opts.TLSPort)),
		User:    opts.User, Password: opts.Password, Realm: opts.Realm,
		CAFile: caFile, CAPool: ca.Pool(),
	}
	if opts.AltIP != "" {
		c.AltAddr = net.JoinHostPort(opts.AltIP, strconv.Itoa(opts.Port))
	}
	c.proc = startProcess(t, "turnserver", cmd)
	c.proc.ns = opts.Netns
	waitTCP(t, c.proc, c.TLSAddr, 10*time.Second)
	return c
}

// URIs returns the server as turn: URIs (RFC 7065) for UDP, TCP and TLS.
func (c *Coturn) URIs() []string {
	return []string{
		fmt.Sprintf("turn:%s?transport=udp", c.Addr),
		fmt.Sprintf("turn:%s?transport=tcp", c.Addr),
		fmt.Sprintf("turns:%s?transport=tcp", c.TLSAddr),
	}
}

// Log returns turnserver's output so far.
func (c *Coturn) Log() string { return c.proc.log.String() }
