// Package redact is the one rule for personal data in logs and JSON output:
// a phone number keeps at most its last three digits ("…900"), so a log
// line can still be matched with a call without carrying the number; a SIP
// or tel URI keeps its scheme and host (not personal data) around the
// redacted user part. What the agent sees on screen is a different rule
// (ui.MaskNumber: prefix and last two digits).
package redact

import "strings"

// Number redacts a phone number, extension or user name for logs: the
// last 3 digits, or fewer for short numbers (at most a third of the
// digits, so an internal extension "12" shows nothing); letters never show.
func Number(s string) string {
	var digits []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits = append(digits, s[i])
		}
	}
	keep := 3
	if len(digits) < 9 {
		keep = len(digits) / 3
	}
	if keep == 0 {
		return "…"
	}
	return "…" + string(digits[len(digits)-keep:])
}

// URI redacts a SIP/SIPS/tel URI or bare number for logs:
// "sip:+4930123456@pbx.example;transport=tls" → "sip:…456@pbx.example".
func URI(s string) string {
	if s == "" {
		return ""
	}
	scheme := ""
	if i := strings.Index(s, ":"); i >= 0 && i < 5 {
		scheme, s = s[:i+1], s[i+1:]
	}
	user, host, hasHost := strings.Cut(s, "@")
	if !hasHost {
		if i := strings.IndexAny(user, ";?>"); i >= 0 {
			user = user[:i]
		}
		return scheme + Number(user)
	}
	if i := strings.IndexAny(host, ";?>"); i >= 0 {
		host = host[:i]
	}
	return scheme + Number(user) + "@" + host
}
