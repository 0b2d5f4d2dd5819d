package sip

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
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

// redact removes SRTP master keys and digest responses from a SIP message
// before it is written to a debug trace.
func redact(msg string) string {
	msg = cryptoLine.ReplaceAllStringFunc(msg, redactCrypto)
	return authParam.ReplaceAllString(msg, `$1="[REDACTED]"`)
}

// trace logs a whole SIP message at debug level, redacted. The message is
// only rendered when debug logging is on.
func (u *UA) trace(dir string, msg interface{ String() string }) {
	if !u.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	u.log.Debug("sip trace", "dir", dir, "msg", redact(msg.String()))
}

// maskedURI is a slog.LogValuer that shows a SIP URI or number with the
// user part mostly hidden ("sip:+49***12@host"), so phone numbers do not
// reach logs.
type maskedURI string

// LogValue implements slog.LogValuer.
func (m maskedURI) LogValue() slog.Value {
	s := string(m)
	scheme := ""
	if i := strings.Index(s, ":"); i >= 0 && i < 5 {
		scheme, s = s[:i+1], s[i+1:]
	}
	user, host, hasHost := strings.Cut(s, "@")
	if !hasHost {
		user, host = s, ""
	}
	masked := maskUser(user)
	if hasHost {
		if i := strings.IndexAny(host, ";?>"); i >= 0 {
			host = host[:i]
		}
		return slog.StringValue(scheme + masked + "@" + host)
	}
	return slog.StringValue(scheme + masked)
}

func maskUser(u string) string {
	r := []rune(u)
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 4:
		return "***"
	default:
		return string(r[:3]) + "***" + string(r[len(r)-2:])
	}
}
