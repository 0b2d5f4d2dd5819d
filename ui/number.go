package ui

import (
	"strings"
	"unicode"

	"softphone/phone"
)

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
	clean, err := phone.CleanNumber(s)
	if err != nil || phone.IsUserName(clean) {
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
