package crm

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"softphone/internal/redact"
)

// Normalize returns raw as an E.164 number ("+4920180900"). National numbers
// ("0201 80900") are read in region (ISO 3166, e.g. "DE"); international
// ones may start with "+" or the region's exit code ("0049…"). A string that
// is not a plausible number yields ErrBadNumber.
func Normalize(raw, region string) (string, error) {
	s := strings.TrimSpace(raw)
	// tel: URIs come from vCard 4.0 and SIP headers.
	s = strings.TrimPrefix(strings.TrimPrefix(s, "tel:"), "TEL:")
	if i := strings.IndexByte(s, ';'); i >= 0 { // tel URI parameters (;ext=, ;phone-context=)
		s = s[:i]
	}
	if s == "" {
		return "", ErrBadNumber
	}
	// Keep only '+' and digits: phonenumbers ignores the separators anyway,
	// and parsing the compact form is about twice as fast (import speed).
	var b strings.Builder
	b.Grow(len(s))
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r == '+':
			if b.Len() > 0 {
				return "", ErrBadNumber // '+' only in front
			}
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '/' || r == '.' || r == '\u00a0':
		default:
			// Letters (vanity numbers, "ext") and anything else: not a number we match on.
			return "", ErrBadNumber
		}
	}
	if digits < 3 || digits > 17 {
		return "", ErrBadNumber
	}
	s = b.String()
	n, err := phonenumbers.Parse(s, strings.ToUpper(region))
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBadNumber, err)
	}
	if !phonenumbers.IsPossibleNumber(n) {
		return "", ErrBadNumber
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// Number is a phone number that redacts itself in logs and JSON output by
// the one rule of internal/redact: only its last three digits ("…900"), so
// a log line can still be matched with a call without carrying the number.
type Number string

// LogValue implements slog.LogValuer.
func (n Number) LogValue() slog.Value { return slog.StringValue(redactNumber(string(n))) }

// String is the redacted form too, so fmt cannot leak it by accident.
func (n Number) String() string { return redactNumber(string(n)) }

// RedactNumber wraps a number for slog: slog.Any("number", crm.RedactNumber(n)).
func RedactNumber(n string) slog.LogValuer { return Number(n) }

// redactNumber is the one log/JSON rule, internal/redact.
func redactNumber(s string) string { return redact.Number(s) }
