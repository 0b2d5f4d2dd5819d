package sip

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/emiago/sipgo/sip"
)

var (
	// ErrAuthFailed means the server rejected the credentials (401/403/407
	// after credentials were sent).
	ErrAuthFailed = errors.New("wrong user name or password")
	// ErrUnreachable means the SIP server could not be reached: the
	// connection was refused or timed out, or the server did not answer.
	ErrUnreachable = errors.New("SIP server unreachable")
	// ErrConnectionLost means the connection to the SIP server broke; the UA
	// keeps trying to re-register.
	ErrConnectionLost = errors.New("connection to the SIP server lost")
	// ErrClosed is returned by methods of a UA after Close.
	ErrClosed = errors.New("SIP user agent closed")
	// ErrNotRegistered is returned by Dial before the first successful
	// Register.
	ErrNotRegistered = errors.New("not registered with the SIP server")
	// ErrCallEnded is returned by Dialog and Incoming methods once the call
	// is over (hung up, cancelled or rejected).
	ErrCallEnded = errors.New("call has ended")
	// ErrBadDTMF is returned for a DTMF digit or dtmf-relay body that is not
	// one of 0-9, *, #, A-D.
	ErrBadDTMF = errors.New("invalid DTMF digit")
	// ErrConfig is wrapped by New for an unusable Config.
	ErrConfig = errors.New("invalid SIP configuration")
	// ErrBadTarget is returned by Dial and Refer for a request URI that is
	// not a sip:/sips: URI with a host (phone.TargetURI makes one).
	ErrBadTarget = errors.New("not a valid SIP address")
)

// CertificateError means the server's TLS certificate was not accepted:
// it is signed by an unknown authority, does not name the server, or has
// expired. Err is the underlying x509/tls error.
type CertificateError struct {
	Server string // host:port that was dialled
	Err    error
}

// Error implements error with a message a user can act on.
func (e *CertificateError) Error() string {
	switch e.Problem() {
	case CertHostname:
		return fmt.Sprintf("server certificate not trusted: it is not valid for %s (hostname mismatch: %v)", e.Server, e.Err)
	case CertUnknownAuthority:
		return fmt.Sprintf("server certificate not trusted: %s presented a certificate signed by an unknown authority; install the server's CA certificate", e.Server)
	case CertExpired:
		return fmt.Sprintf("server certificate not trusted: the certificate of %s has expired or is not yet valid", e.Server)
	default:
		return fmt.Sprintf("server certificate not trusted: %s: %v", e.Server, e.Err)
	}
}

// Unwrap returns the underlying x509/tls error.
func (e *CertificateError) Unwrap() error { return e.Err }

// StatusError is a final SIP response that is neither success nor one of
// the cases with a dedicated error (such as ErrAuthFailed).
type StatusError struct {
	Code   int
	Reason string
}

// Error implements error.
func (e *StatusError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("SIP server answered %d", e.Code)
	}
	return fmt.Sprintf("SIP server answered %d %s", e.Code, e.Reason)
}

// Busy reports whether the far end is busy (486 or 600).
func (e *StatusError) Busy() bool { return e.Code == 486 || e.Code == 600 }

// classifyTransport maps an error from connecting or sending to the
// exported errors. ctx errors are passed through unchanged.
func classifyTransport(server string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	if isCertError(err) {
		return &CertificateError{Server: server, Err: certCause(err)}
	}
	var (
		netErr net.Error
		opErr  *net.OpError
	)
	switch {
	case errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, sip.ErrTransactionTimeout),
		errors.Is(err, sip.ErrTransactionTransport),
		errors.Is(err, io.EOF),
		errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &opErr),
		errors.As(err, &netErr),
		strings.Contains(err.Error(), "dial TCP error"),
		strings.Contains(err.Error(), "TLS handshake error"):
		return fmt.Errorf("%w (%s): %w", ErrUnreachable, server, err)
	}
	return err
}

func isCertError(err error) bool {
	var (
		host    x509.HostnameError
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
		verify  *tls.CertificateVerificationError
	)
	return errors.As(err, &host) || errors.As(err, &unknown) || errors.As(err, &invalid) || errors.As(err, &verify)
}

// certCause strips tls.CertificateVerificationError to the x509 error it
// wraps so that CertificateError can name the reason.
func certCause(err error) error {
	var verify *tls.CertificateVerificationError
	if errors.As(err, &verify) && verify.Err != nil {
		return verify.Err
	}
	return err
}

// classifyStatus maps a final non-2xx response code to an error.
// authSent says whether credentials were already sent.
func classifyStatus(code int, reason string, authSent bool) error {
	if authSent && (code == 401 || code == 403 || code == 407) {
		return ErrAuthFailed
	}
	return &StatusError{Code: code, Reason: reason}
}
