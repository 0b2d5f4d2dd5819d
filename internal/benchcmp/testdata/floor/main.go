// Command floor is the Go floor of the side-by-side benchmark: the smallest
// Go SIP client that does what an idle registered phone must, REGISTER over
// TLS (certificate verified) with digest authentication through sipgo, the
// SIP stack the softphone uses, and then sit registered. It prints
// "registered" after the 200 OK and waits for stdin to close.
//
// It is not a product: BenchmarkVersusBaresip builds it (an installed copy,
// like the softphone) and prints its idle RSS beside baresip's and the
// softphone's, so that the runtime's share of the softphone's memory is
// measured in the same run rather than argued.
//
//	floor SERVER_ADDR DOMAIN USER PASSWORD CA_FILE
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

func main() {
	if len(os.Args) != 6 {
		fmt.Fprintln(os.Stderr, "usage: floor SERVER_ADDR DOMAIN USER PASSWORD CA_FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5]); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(server, domain, user, password, caFile string) error {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s: no certificate", caFile)
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("floor"), sipgo.WithUserAgentHostname(domain),
		sipgo.WithUserAgenTLSConfig(&tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots, ServerName: domain}))
	if err != nil {
		return err
	}
	defer ua.Close()
	client, err := sipgo.NewClient(ua)
	if err != nil {
		return err
	}
	aor := sip.Uri{Scheme: "sip", User: user, Host: domain}
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: domain})
	req.SetTransport("TLS")
	req.SetDestination(server)
	contact := sip.Uri{Scheme: "sip", User: user, Host: "127.0.0.1", UriParams: sip.NewParams()}
	contact.UriParams.Add("transport", "tls")
	req.AppendHeader(&sip.ContactHeader{Address: contact})
	req.AppendHeader(&sip.ToHeader{Address: aor, Params: sip.NewParams()})
	exp := sip.ExpiresHeader(600)
	req.AppendHeader(&exp)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := client.Do(ctx, req)
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) {
		res, err = client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: user, Password: password})
	}
	if err != nil {
		return fmt.Errorf("REGISTER: %w", err)
	}
	if res.StatusCode != 200 {
		return fmt.Errorf("REGISTER: %d %s", res.StatusCode, res.Reason)
	}
	fmt.Println("registered")
	_, _ = io.Copy(io.Discard, os.Stdin)
	return nil
}
