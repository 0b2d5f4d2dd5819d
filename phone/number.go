package phone

import (
	"strings"
	"unicode"
)

// maxDigits bounds a dial string: E.164 allows 15 digits; PBX prefixes,
// feature codes and DTMF-style suffixes need a little more.
const maxDigits = 32

// CleanNumber turns whatever the agent typed or pasted into a dial target.
//
//   - SIP URIs ("sip:", "sips:") and addresses with '@' pass through unchanged
//     (trimmed); a "tel:" prefix is dropped and the rest cleaned as a number.
//   - A bare SIP user name (letters, digits, '.', '-', '_', e.g. "echo")
//     passes through.
//   - Otherwise separators (spaces incl. no-break and thin spaces, - – . / ( ))
//     are removed, full-width digits become ASCII, a leading '+' is kept, '*'
//     and '#' are kept for feature codes, and the national trunk prefix
//     written as "(0)" after a country code ("+49 (0)201 …") is dropped.
//
// Anything else is ErrInvalidNumber; an empty input is ErrEmptyNumber.
func CleanNumber(in string) (string, error) {
	s := strings.TrimFunc(in, func(r rune) bool { return unicode.IsSpace(r) || isInvisible(r) })
	if s == "" {
		return "", ErrEmptyNumber
	}
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "sip:"), strings.HasPrefix(lower, "sips:"):
		if strings.IndexFunc(s, unicode.IsSpace) >= 0 || len(s) <= len("sips:") {
			return "", ErrInvalidNumber
		}
		return s, nil
	case strings.HasPrefix(lower, "tel:"):
		s = s[len("tel:"):]
		// RFC 3966 parameters (";phone-context=…") are not part of the number.
		if i := strings.IndexByte(s, ';'); i >= 0 {
			s = s[:i]
		}
	case strings.Contains(s, "@"):
		if strings.IndexFunc(s, unicode.IsSpace) >= 0 {
			return "", ErrInvalidNumber
		}
		return s, nil
	case IsUserName(s):
		return s, nil
	}

	if strings.HasPrefix(s, "+") {
		s = strings.Replace(s, "(0)", "", 1)
	}
	var b strings.Builder
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			digits++
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
			digits++
		case r == '+' || r == '＋':
			if i != 0 || b.Len() != 0 {
				return "", ErrInvalidNumber
			}
			b.WriteByte('+')
		case r == '*' || r == '#':
			b.WriteRune(r)
			digits++
		case isSeparator(r):
		default:
			return "", ErrInvalidNumber
		}
	}
	out := b.String()
	if digits == 0 {
		return "", ErrInvalidNumber
	}
	if digits > maxDigits {
		return "", ErrNumberTooLong
	}
	return out, nil
}

func isSeparator(r rune) bool {
	switch r {
	case ' ', '-', '.', '/', '(', ')', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
		return true
	}
	return unicode.IsSpace(r) || isInvisible(r)
}

// isInvisible reports format characters that sneak in with copy and paste
// (zero-width space, BOM, bidi marks).
func isInvisible(r rune) bool {
	return unicode.Is(unicode.Cf, r)
}

// IsUserName reports a bare SIP user part such as "echo" or "support.desk":
// it must contain a letter, and only ASCII letters, digits and . - _.
func IsUserName(s string) bool {
	letter := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letter = true
		case r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return letter && len(s) <= 64
}
