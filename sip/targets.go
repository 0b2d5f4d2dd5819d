package sip

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Resolver looks up DNS SRV and address records. *net.Resolver satisfies
// it; tests inject one that asks a DNS server of their own.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (cname string, addrs []*net.SRV, err error)
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// target is one place to register: an address to dial and the name its
// TLS certificate must carry (RFC 5922 §4: the SIP domain for targets
// found by SRV, the host name for configured servers).
type target struct {
	addr   string // "ip:port"
	tlsFor string // name to verify the certificate against
	srv    bool   // found by DNS SRV
}

// srvName is the SRV owner name to look up for the transport (RFC 3263
// §4.2): _sips._tcp for TLS, _sip._tcp and _sip._udp otherwise.
func srvName(transport string) (service, proto string) {
	switch transport {
	case "TLS":
		return "sips", "tcp"
	case "TCP":
		return "sip", "tcp"
	}
	return "sip", "udp"
}

// orderSRV orders SRV records as RFC 2782 says: by priority, lowest
// first; within a priority by a random choice weighted by weight (records
// of weight 0 get a small chance). A target "." means the service is not
// offered and is dropped.
func orderSRV(recs []*net.SRV, rnd func(n int) int) []*net.SRV {
	var in []*net.SRV
	for _, r := range recs {
		if r != nil && r.Target != "." && r.Target != "" {
			in = append(in, r)
		}
	}
	slices.SortStableFunc(in, func(a, b *net.SRV) int { return cmp.Compare(a.Priority, b.Priority) })
	out := make([]*net.SRV, 0, len(in))
	for i := 0; i < len(in); {
		j := i
		for j < len(in) && in[j].Priority == in[i].Priority {
			j++
		}
		group := slices.Clone(in[i:j])
		for len(group) > 0 {
			total := 0
			for _, r := range group {
				total += int(r.Weight)
			}
			k := 0
			if total > 0 {
				pick := rnd(total + 1) // 0..total; zero-weight records win only at 0
				sum := 0
				for k = range group {
					sum += int(group[k].Weight)
					if sum >= pick {
						break
					}
				}
			}
			out = append(out, group[k])
			group = slices.Delete(group, k, k+1)
		}
		i = j
	}
	return out
}

// resolveTargets lists the places to register, most preferred first: the
// SRV targets of the domain (when looked up), then the configured servers
// in their order. Names are resolved with the configured Resolver.
func (u *UA) resolveTargets(ctx context.Context) ([]target, error) {
	var (
		out  []target
		errs []error
	)
	if u.cfg.SRV {
		service, proto := srvName(u.transport)
		domain := domainHost(u.cfg.Domain)
		_, recs, err := u.cfg.Resolver.LookupSRV(ctx, service, proto, domain)
		if err != nil {
			errs = append(errs, fmt.Errorf("SRV _%s._%s.%s: %w", service, proto, domain, err))
		}
		for _, r := range orderSRV(recs, rand.IntN) {
			ips, err := u.lookupIPs(ctx, strings.TrimSuffix(r.Target, "."))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, ip := range ips {
				out = append(out, target{addr: net.JoinHostPort(ip.String(), strconv.Itoa(int(r.Port))), tlsFor: domain, srv: true})
			}
		}
	}
	for _, s := range u.cfg.Servers {
		host, port, _ := net.SplitHostPort(s)
		ips, err := u.lookupIPs(ctx, host)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, ip := range ips {
			out = append(out, target{addr: net.JoinHostPort(ip.String(), port), tlsFor: host})
		}
	}
	if len(out) == 0 {
		if len(errs) == 0 {
			errs = append(errs, errors.New("no server configured or found"))
		}
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, errors.Join(errs...))
	}
	return out, nil
}

// lookupIPs returns host's addresses (IPv4 first); an IP literal is itself.
func (u *UA) lookupIPs(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip.Unmap()}, nil
	}
	ips, err := u.cfg.Resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	slices.SortStableFunc(ips, func(a, b netip.Addr) int {
		return cmp.Compare(boolInt(!a.Unmap().Is4()), boolInt(!b.Unmap().Is4()))
	})
	for i := range ips {
		ips[i] = ips[i].Unmap()
	}
	return ips, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// domainHost is the host part of a domain that may carry a port.
func domainHost(d string) string {
	if h, _, err := net.SplitHostPort(d); err == nil {
		return h
	}
	return d
}

// tlsConfig is the UA's TLS client configuration. The certificate is
// verified in VerifyConnection against the name of the target being
// dialled (u.tlsName), since one UA dials servers of different names.
func (u *UA) tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         domainHost(u.cfg.Domain), // SNI: the SIP domain (RFC 5922 §7.1)
		InsecureSkipVerify: true,                     // verified below, against the target's name
		VerifyConnection:   u.verifyServer,
	}
}

// verifyServer checks the server's chain against RootCAs (nil: the system
// roots) and the name of the current target.
func (u *UA) verifyServer(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("server sent no certificate")
	}
	name, _ := u.tlsName.Load().(string)
	if name == "" {
		name = domainHost(u.cfg.Domain)
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
		Roots:         u.cfg.RootCAs,
		Intermediates: inter,
		DNSName:       name,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
	}
	return nil
}

// failoverWorthy reports whether err from one target means "try the next
// one": the transport failed (refused, TLS, timeout, lost) or the server
// said 503 Service Unavailable (RFC 3263 §4.3) or 408.
func failoverWorthy(err error) bool {
	var se *StatusError
	var ce *CertificateError
	switch {
	case errors.As(err, &se):
		return se.Code == 503 || se.Code == 408
	case errors.As(err, &ce):
		return true
	}
	return errors.Is(err, ErrUnreachable) || errors.Is(err, ErrConnectionLost)
}
