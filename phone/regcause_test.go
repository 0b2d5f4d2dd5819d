package phone

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"testing"

	"softphone/sip"
)

func TestRegCauseOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want RegCause
	}{
		{nil, RegCauseNone},
		{&sip.CertificateError{Err: x509.UnknownAuthorityError{}}, RegCauseCertUntrusted},
		{fmt.Errorf("register: %w", &sip.CertificateError{Err: x509.CertificateInvalidError{Reason: x509.Expired}}), RegCauseCertExpired},
		{&sip.CertificateError{Err: x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}}, RegCauseCertHostname},
		{&sip.CertificateError{Err: errors.New("odd")}, RegCauseCertInvalid},
		{fmt.Errorf("register: %w", sip.ErrAuthFailed), RegCauseAuth},
		{fmt.Errorf("%w: refused", sip.ErrUnreachable), RegCauseUnreachable},
		{context.DeadlineExceeded, RegCauseUnreachable},
		{sip.ErrConnectionLost, RegCauseConnectionLost},
		{&sip.StatusError{Code: 503}, RegCauseRejected},
		{errors.New("strange"), RegCauseOther},
	} {
		if got := regCauseOf(tc.err); got != tc.want {
			t.Errorf("regCauseOf(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
