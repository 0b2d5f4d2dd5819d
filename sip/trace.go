package sip

import (
	"context"
	"log/slog"
	"regexp"
	"strings"

	"softphone/internal/redact"
)

// cryptoLine matches SDES key lines (RFC 4568) so that traces never carry
// keys; a line may end in CR, LF or both.
var cryptoLine = regexp.MustCompile(`(?i)(^|[\r\n])a=crypto:([^\r\n]*)`)

// cryptoTag and cryptoSuite are the parts of an a=crypto line that may stay.
var (
	cryptoTag   = regexp.MustCompile(`^\d{1,10}$`)
	cryptoSuite = regexp.MustCompile(`^[A-Z0-9_]{1,64}$`)
)

// redactCrypto keeps tag and suite of an a=crypto line when they look
// like a tag and a suite, and drops everything else (keys, lifetimes, MKIs).
func redactCrypto(line string) string {
	m := cryptoLine.FindStringSubmatch(line)
	f := strings.Fields(m[2])
	if len(f) >= 2 && cryptoTag.MatchString(f[0]) && cryptoSuite.MatchString(f[1]) {
		return m[1] + "a=crypto:" + f[0] + " " + f[1] + " [REDACTED]"
	}
	return m[1] + "a=crypto:[REDACTED]"
}

// authParam matches digest responses and nonces in Authorization headers.
var authParam = regexp.MustCompile(`(?i)\b(response|cnonce)="[^"]*"`)

// redactMessage removes SRTP master keys and digest responses from a SIP message
// before it is written to a debug trace.
func redactMessage(msg string) string {
	msg = cryptoLine.ReplaceAllStringFunc(msg, redactCrypto)
	return authParam.ReplaceAllString(msg, `$1="[REDACTED]"`)
}

// trace logs a whole SIP message at debug level, redacted. The message is
// only rendered when debug logging is on.
func (u *UA) trace(dir string, msg interface{ String() string }) {
	if !u.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	u.log.Debug("sip trace", "dir", dir, "msg", redactMessage(msg.String()))
}

// maskedURI is a slog.LogValuer that redacts a SIP URI or number by the
// one log rule (internal/redact: "sip:…456@host"), so phone numbers do not
// reach logs.
type maskedURI string

// LogValue implements slog.LogValuer.
func (m maskedURI) LogValue() slog.Value { return slog.StringValue(redact.URI(string(m))) }
