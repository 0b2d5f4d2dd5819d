package phone

import (
	"context"
	"errors"

	"softphone/sip"
)

// RegCause is why a registration failed, typed so that views and the
// headless JSON can say it without parsing error text.
type RegCause int

// Registration failure causes.
const (
	RegCauseNone           RegCause = iota // registered, or not tried
	RegCauseCertUntrusted                  // server certificate from an unknown CA
	RegCauseCertExpired                    // server certificate expired or not yet valid
	RegCauseCertHostname                   // server certificate does not name the server
	RegCauseCertInvalid                    // any other certificate problem
	RegCauseAuth                           // wrong user name or password
	RegCauseUnreachable                    // connection refused, timed out or no answer
	RegCauseConnectionLost                 // the registered connection broke; retrying
	RegCauseRejected                       // the registrar answered with an error status
	RegCauseOther                          // anything else; Reason has the text
)

// String returns the cause as a snake_case word (the JSON "cause").
func (c RegCause) String() string {
	switch c {
	case RegCauseNone:
		return "none"
	case RegCauseCertUntrusted:
		return "certificate_untrusted"
	case RegCauseCertExpired:
		return "certificate_expired"
	case RegCauseCertHostname:
		return "certificate_hostname"
	case RegCauseCertInvalid:
		return "certificate_invalid"
	case RegCauseAuth:
		return "wrong_password"
	case RegCauseUnreachable:
		return "unreachable"
	case RegCauseConnectionLost:
		return "connection_lost"
	case RegCauseRejected:
		return "rejected"
	}
	return "other"
}

// regCauseOf classifies a registration error from sip.
func regCauseOf(err error) RegCause {
	var (
		cert   *sip.CertificateError
		status *sip.StatusError
	)
	switch {
	case err == nil:
		return RegCauseNone
	case errors.As(err, &cert):
		switch cert.Problem() {
		case sip.CertUnknownAuthority:
			return RegCauseCertUntrusted
		case sip.CertExpired:
			return RegCauseCertExpired
		case sip.CertHostname:
			return RegCauseCertHostname
		}
		return RegCauseCertInvalid
	case errors.Is(err, sip.ErrAuthFailed):
		return RegCauseAuth
	case errors.Is(err, sip.ErrConnectionLost):
		return RegCauseConnectionLost
	case errors.Is(err, sip.ErrUnreachable), errors.Is(err, context.DeadlineExceeded):
		return RegCauseUnreachable
	case errors.As(err, &status):
		return RegCauseRejected
	}
	return RegCauseOther
}
