package sip

import (
	"crypto/x509"
	"errors"
)

// CertProblem is why a server certificate was not accepted.
type CertProblem int

// Certificate problems.
const (
	CertOther            CertProblem = iota // any other verification failure
	CertUnknownAuthority                    // not signed by a trusted CA
	CertHostname                            // does not name the server dialled
	CertExpired                             // expired or not yet valid
)

// String returns the problem as a snake_case word for logs and JSON.
func (p CertProblem) String() string {
	switch p {
	case CertUnknownAuthority:
		return "unknown_authority"
	case CertHostname:
		return "hostname_mismatch"
	case CertExpired:
		return "expired"
	}
	return "other"
}

// Problem says what was wrong with the certificate.
func (e *CertificateError) Problem() CertProblem {
	var (
		host    x509.HostnameError
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
	)
	switch {
	case errors.As(e.Err, &host):
		return CertHostname
	case errors.As(e.Err, &unknown):
		return CertUnknownAuthority
	case errors.As(e.Err, &invalid) && invalid.Reason == x509.Expired:
		return CertExpired
	}
	return CertOther
}
