// Package sip is the softphone's SIP user agent: TLS transport,
// registration with digest authentication, and INVITE dialogs (calls).
//
// It is the only package that imports github.com/emiago/sipgo, and no sipgo
// type appears in its exported API. Session descriptions travel as opaque
// []byte; building and parsing SDP is the audio package's job.
//
// One UA keeps one connection ("flow") to the configured server. REGISTER,
// outgoing requests and incoming calls all use that flow, so a registrar
// such as Kamailio can reach the phone behind NAT over the TLS connection
// it registered on. The UA refreshes its registration before it expires,
// sends RFC 5626 CRLF keep-alives on the flow, and re-registers with
// back-off after the connection is lost.
//
// Errors are written for the person at the phone: ErrAuthFailed,
// ErrUnreachable, *CertificateError and *StatusError.
//
// Privacy: SDP bodies carry SRTP keys (a=crypto). They are never logged at
// info level; SIP traces are logged only at debug level, with a=crypto lines
// redacted, and phone numbers in log lines are masked.
package sip
