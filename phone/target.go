package phone

import (
	"fmt"
	"strings"
	"unicode"
)

// TargetURI turns what an agent typed or pasted into a SIP request URI in
// domain: "sip:…"/"sips:…" pass through, "tel:" and phone numbers in any
// common format ("+49 (201) 809-000", "0201/80900") lose their visual
// separators, and a plain extension ("echo", "1002") gets the domain.
func TargetURI(input, domain string) (string, error) {
	s := strings.TrimSpace(input)
	if s == "" {
		return "", fmt.Errorf("nothing to dial")
	}
	low := strings.ToLower(s)
	switch {
	case strings.HasPrefix(low, "sip:"), strings.HasPrefix(low, "sips:"):
		if !strings.Contains(s, "@") {
			return "", fmt.Errorf("%q has no host", s)
		}
		return s, nil
	case strings.HasPrefix(low, "tel:"):
		s = s[len("tel:"):]
		if i := strings.IndexByte(s, ';'); i >= 0 {
			s = s[:i] // drop tel URI parameters (RFC 3966)
		}
	}
	if looksLikeNumber(s) {
		n := cleanNumber(s)
		if n == "" || n == "+" {
			return "", fmt.Errorf("%q is not a phone number", input)
		}
		return "sip:" + n + "@" + domain, nil
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.!~*'+", r)) {
			return "", fmt.Errorf("%q is neither a phone number nor an extension", input)
		}
	}
	return "sip:" + s + "@" + domain, nil
}

// looksLikeNumber reports whether s holds only digits, a leading plus, DTMF
// symbols and visual separators (RFC 3966 visual-separator plus spaces and slashes).
func looksLikeNumber(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == '*' || r == '#':
		case strings.ContainsRune(" -.()/\u00a0", r):
		default:
			return false
		}
	}
	return digits > 0
}

func cleanNumber(s string) string {
	var b strings.Builder
	for i, r := range s {
		if (r >= '0' && r <= '9') || r == '*' || r == '#' || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// MaskNumber shows only the last two digits of a number, for logs and the
// default history view.
func MaskNumber(s string) string {
	r := []rune(s)
	if len(r) <= 2 {
		return strings.Repeat("•", len(r))
	}
	return strings.Repeat("•", len(r)-2) + string(r[len(r)-2:])
}
