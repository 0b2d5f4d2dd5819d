package ui

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
	case isUserName(s):
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

// isUserName reports a bare SIP user part such as "echo" or "support.desk":
// it must contain a letter, and only ASCII letters, digits and . - _.
func isUserName(s string) bool {
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

// maskDot replaces hidden digits.
const maskDot = "•"

// visibleShort is the length up to which a number is an internal extension
// and shown in full (it identifies a colleague, not a customer).
const visibleShort = 5

// MaskNumber shows a number the way the agent sees it by default: country
// code and area prefix plus the last two digits, the rest as dots
// ("+49 201 ••• •• 12"). Short internal extensions are shown in full. SIP
// URIs have their user part masked. The result never contains more than
// the prefix and the last two digits of the input.
func MaskNumber(n string) string {
	s := strings.TrimSpace(n)
	if s == "" {
		return ""
	}
	lower := strings.ToLower(s)
	for _, p := range []string{"sips:", "sip:", "tel:"} {
		if strings.HasPrefix(lower, p) {
			rest := s[len(p):]
			user, host, hasHost := strings.Cut(rest, "@")
			if hasHost {
				if h, _, ok := strings.Cut(host, ";"); ok {
					host = h
				}
				return p + MaskNumber(user) + "@" + host
			}
			return p + MaskNumber(rest)
		}
	}
	if user, host, ok := strings.Cut(s, "@"); ok {
		return MaskNumber(user) + "@" + host
	}
	clean, err := CleanNumber(s)
	if err != nil || isUserName(clean) {
		return maskWord(s)
	}
	plus := strings.HasPrefix(clean, "+")
	digits := strings.TrimPrefix(clean, "+")
	if !plus && len(digits) <= visibleShort {
		return digits
	}
	var prefix []string
	rest := digits
	if plus {
		cc := countryCodeLen(digits)
		if cc >= len(digits) {
			return "+" + strings.Repeat(maskDot, len(digits))
		}
		prefix = append(prefix, "+"+digits[:cc])
		rest = digits[cc:]
	}
	// Area prefix: three digits (four with the national trunk 0).
	area := 3
	if !plus && strings.HasPrefix(rest, "0") {
		area = 4
	}
	if len(rest) <= area+2 {
		// Too short to show an area prefix as well: only the last two.
		tail := rest[max(0, len(rest)-2):]
		return strings.Join(append(prefix, middleMask, tail), " ")
	}
	prefix = append(prefix, rest[:area])
	// The hidden part always shows as "••• ••", so the mask reveals
	// neither the digits nor how many there are.
	return strings.Join(append(prefix, middleMask, rest[len(rest)-2:]), " ")
}

// middleMask stands for the hidden middle digits of a number.
const middleMask = maskDot + maskDot + maskDot + " " + maskDot + maskDot

// maskWord keeps the first letter of a name-like string and dots the rest.
func maskWord(s string) string {
	r := []rune(s)
	if len(r) <= 1 {
		return strings.Repeat(maskDot, len(r))
	}
	return string(r[0]) + strings.Repeat(maskDot, min(len(r)-1, 6))
}

// MaskName masks a display name to initials ("Erika Mustermann" → "E. M.").
func MaskName(name string) string {
	var parts []string
	for _, f := range strings.Fields(name) {
		// Initials of the words that are names: "(Demo)" or "–" add nothing.
		for _, r := range f {
			if unicode.IsLetter(r) {
				if f[0] == '(' {
					break
				}
				parts = append(parts, string(r)+".")
				break
			}
		}
	}
	return strings.Join(parts, " ")
}

// countryCodeLen returns the length of the ITU-T E.164 country code at the
// start of digits (1, 2 or 3).
func countryCodeLen(digits string) int {
	if digits == "" {
		return 0
	}
	switch digits[0] {
	case '1', '7':
		return 1
	}
	if len(digits) < 2 {
		return 1
	}
	if twoDigitCodes[digits[:2]] {
		return 2
	}
	return 3
}

// twoDigitCodes are the two-digit country codes of ITU-T E.164 Annex.
var twoDigitCodes = map[string]bool{
	"20": true, "27": true, "30": true, "31": true, "32": true, "33": true, "34": true, "36": true,
	"39": true, "40": true, "41": true, "43": true, "44": true, "45": true, "46": true, "47": true,
	"48": true, "49": true, "51": true, "52": true, "53": true, "54": true, "55": true, "56": true,
	"57": true, "58": true, "60": true, "61": true, "62": true, "63": true, "64": true, "65": true,
	"66": true, "81": true, "82": true, "84": true, "86": true, "90": true, "91": true, "92": true,
	"93": true, "94": true, "95": true, "98": true,
}
