package urlhandler

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"softphone/internal/redact"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxLinkLen is the longest link accepted.
const MaxLinkLen = 2048

// maxDigits bounds a tel: number (E.164 allows 15; local dial strings with
// access codes and DTMF may be a little longer).
const maxDigits = 32

// Scheme is the kind of link.
type Scheme int

const (
	// SchemeSIP is sip: (RFC 3261).
	SchemeSIP Scheme = iota + 1
	// SchemeSIPS is sips: (RFC 3261, TLS end to end).
	SchemeSIPS
	// SchemeTel is tel: (RFC 3966).
	SchemeTel
)

// String returns the scheme name without colon.
func (s Scheme) String() string {
	switch s {
	case SchemeSIP:
		return "sip"
	case SchemeSIPS:
		return "sips"
	case SchemeTel:
		return "tel"
	default:
		return "Scheme(?)"
	}
}

// Link is a validated click-to-call link. Only what is needed to dial is
// kept: URI parameters other than user=phone and all SIP headers are dropped
// or refused, so a web page cannot choose the transport or inject headers.
type Link struct {
	Scheme Scheme
	// User is the decoded user part of a sip(s): link ("" if none). For a
	// sip: link without host ("sip:100") it is the extension.
	User string
	// Host is the host of a sip(s): link: a lower-case name, an IPv4
	// address or an IPv6 address without brackets. "" for "sip:100".
	Host string
	// Port is the sip(s): port, 0 for the default.
	Port int
	// UserPhone is set for ";user=phone" on a sip(s): link.
	UserPhone bool
	// Number is the tel: number without visual separators: "+" and digits
	// for a global number, else digits and *#ABCD.
	Number string
	// Ext is the tel: extension (";ext="), digits only.
	Ext string
}

// Parse validates a sip:, sips: or tel: link as a browser or OS hands it
// over. It accepts upper-case schemes, "sip://" (a common mistake on web
// pages), percent-encoding and the visual separators of RFC 3966 ("-", ".",
// "(", ")", space). It refuses passwords and headers in SIP URIs.
func Parse(s string) (Link, error) {
	s = strings.TrimSpace(s)
	if len(s) > MaxLinkLen {
		return Link{}, invalid("longer than %d bytes", MaxLinkLen)
	}
	if err := checkText(s); err != nil {
		return Link{}, err
	}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return Link{}, invalid("no scheme")
	}
	rest := s[colon+1:]
	switch strings.ToLower(s[:colon]) {
	case "sip":
		return parseSIP(SchemeSIP, rest)
	case "sips":
		return parseSIP(SchemeSIPS, rest)
	case "tel":
		return parseTel(rest)
	default:
		return Link{}, ErrUnsupportedScheme
	}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidLink, fmt.Sprintf(format, args...))
}

// checkText refuses what must never reach a dial string, a log or a SIP
// header: invalid UTF-8 and control characters.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return invalid("not UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return invalid("control character")
		}
	}
	return nil
}

func parseSIP(scheme Scheme, rest string) (Link, error) {
	rest = strings.TrimPrefix(rest, "//")
	if strings.ContainsAny(rest, "?") {
		return Link{}, invalid("SIP headers are not allowed in a link")
	}
	l := Link{Scheme: scheme}
	// The user part may contain ';' (RFC 3261 user-unreserved) but never an
	// unescaped '@', so the first '@' ends it.
	hostPart := rest
	if at := strings.IndexByte(rest, '@'); at >= 0 {
		userinfo := rest[:at]
		hostPart = rest[at+1:]
		if strings.ContainsRune(userinfo, ':') {
			return Link{}, invalid("passwords are not allowed in a link")
		}
		user, err := url.PathUnescape(userinfo)
		if err != nil {
			return Link{}, invalid("bad escape in user")
		}
		if user == "" {
			return Link{}, invalid("empty user")
		}
		if err := checkUser(user); err != nil {
			return Link{}, err
		}
		l.User = user
	}
	hostport, params, _ := strings.Cut(hostPart, ";")
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(p, "=")
		if strings.EqualFold(name, "user") && strings.EqualFold(value, "phone") {
			l.UserPhone = true
		}
		// Other parameters (transport, maddr, lr, …) are dropped: a web page
		// must not choose how or where the phone sends its INVITE.
	}
	host, port, err := splitHostPort(hostport)
	if err != nil {
		return Link{}, err
	}
	if l.User == "" && port == 0 {
		// "sip:100": not a valid SIP URI (no host) but what CRMs write for
		// an extension; dial it in the agent's own domain.
		if ext, err := url.PathUnescape(host); err == nil && isDialString(ext) {
			l.User = ext
			return l, nil
		}
	}
	if err := checkHost(host); err != nil {
		return Link{}, err
	}
	l.Host, l.Port = strings.ToLower(host), port
	return l, nil
}

// checkUser allows RFC 3261 user characters (after unescaping) except those
// that would break a dial string or a header.
func checkUser(u string) error {
	if len(u) > 256 {
		return invalid("user too long")
	}
	for _, r := range u {
		switch {
		case r > unicode.MaxASCII:
			return invalid("non-ASCII user")
		case r <= ' ', r == 0x7f, strings.ContainsRune(`@:<>"\[]{}|^`+"`", r):
			return invalid("character %q not allowed in user", r)
		}
	}
	return nil
}

func splitHostPort(hp string) (host string, port int, err error) {
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return "", 0, invalid("unclosed IPv6 bracket")
		}
		host, hp = hp[1:end], hp[end+1:]
		a, perr := netip.ParseAddr(host)
		if perr != nil || !a.Is6() || a.Zone() != "" {
			return "", 0, invalid("bad IPv6 address")
		}
		if hp == "" {
			return host, 0, nil
		}
		if hp[0] != ':' {
			return "", 0, invalid("junk after IPv6 address")
		}
		port, err = parsePort(hp[1:])
		return host, port, err
	}
	host, p, hasPort := strings.Cut(hp, ":")
	if hasPort {
		port, err = parsePort(p)
	}
	return host, port, err
}

func parsePort(p string) (int, error) {
	if p == "" || len(p) > 5 || strings.TrimLeft(p, "0123456789") != "" {
		return 0, invalid("bad port")
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, invalid("bad port")
	}
	return n, nil
}

// checkHost accepts an IP address or an RFC 1123 host name.
func checkHost(h string) error {
	if h == "" {
		return invalid("no host")
	}
	if a, err := netip.ParseAddr(h); err == nil {
		if a.Zone() != "" {
			return invalid("zoned address")
		}
		return nil
	}
	if len(h) > 253 {
		return invalid("host too long")
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return invalid("bad host name")
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return invalid("bad host name")
			}
		}
	}
	return nil
}

// isDialString reports whether s looks like an extension or number (digits,
// *, #, optional leading +), not like a host name.
func isDialString(s string) bool {
	if s == "" || len(s) > maxDigits {
		return false
	}
	for i, r := range s {
		if !(r >= '0' && r <= '9' || r == '*' || r == '#' || (r == '+' && i == 0 && len(s) > 1)) {
			return false
		}
	}
	return true
}

// parseTel parses an RFC 3966 tel: URI body: number, then ;params.
func parseTel(rest string) (Link, error) {
	rest = strings.TrimPrefix(rest, "//")
	dec, err := url.PathUnescape(rest)
	if err != nil {
		return Link{}, invalid("bad escape")
	}
	if err := checkText(dec); err != nil {
		return Link{}, err
	}
	num, params, _ := strings.Cut(dec, ";")
	l := Link{Scheme: SchemeTel}
	if l.Number, err = telNumber(num); err != nil {
		return Link{}, err
	}
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(name), "ext") {
			ext, err := telNumber(value)
			if err != nil || strings.ContainsAny(ext, "+*#ABCD") {
				return Link{}, invalid("bad extension")
			}
			l.Ext = ext
		}
		// isub, phone-context and others are not needed to dial.
	}
	return l, nil
}

// telNumber strips visual separators and checks the digits: a global number
// is "+" and 1–15 digits; a local one is digits and *#ABCD.
func telNumber(s string) (string, error) {
	s = strings.TrimSpace(s)
	global := strings.HasPrefix(s, "+")
	if global {
		s = s[1:]
	}
	var b strings.Builder
	if global {
		b.WriteByte('+')
	}
	n := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n++
		case !global && (r == '*' || r == '#'):
			n++
		case !global && strings.ContainsRune("ABCDabcd", r):
			n++
			r = unicode.ToUpper(r)
		case r == '-' || r == '.' || r == '(' || r == ')' || r == ' ':
			continue // visual separators (RFC 3966 §5.1.1)
		default:
			return "", invalid("character %q not allowed in a phone number", r)
		}
		b.WriteRune(r)
	}
	switch {
	case n == 0:
		return "", invalid("no digits")
	case global && n > 15:
		return "", invalid("more than 15 digits in a global number")
	case n > maxDigits:
		return "", invalid("number too long")
	}
	return b.String(), nil
}

// String returns the canonical link: "tel:+49201809000;ext=12",
// "sip:alice@example.com:5061;user=phone", "sip:100".
func (l Link) String() string {
	var b strings.Builder
	b.WriteString(l.Scheme.String())
	b.WriteByte(':')
	if l.Scheme == SchemeTel {
		b.WriteString(l.Number)
		if l.Ext != "" {
			b.WriteString(";ext=" + l.Ext)
		}
		return b.String()
	}
	b.WriteString(escapeUser(l.User))
	if l.Host != "" {
		if l.User != "" {
			b.WriteByte('@')
		}
		if strings.Contains(l.Host, ":") {
			b.WriteString("[" + l.Host + "]")
		} else {
			b.WriteString(l.Host)
		}
		if l.Port != 0 {
			b.WriteString(":" + strconv.Itoa(l.Port))
		}
	}
	if l.UserPhone {
		b.WriteString(";user=phone")
	}
	return b.String()
}

// escapeUser percent-encodes what RFC 3261 does not allow unescaped in a
// user part.
func escapeUser(u string) string {
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-_.!~*'()&=+$,;?/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// Target is what to dial: the number for tel: (the extension is sent as
// DTMF by the caller, if at all), the bare user for "sip:100", else the
// canonical SIP URI.
func (l Link) Target() string {
	switch {
	case l.Scheme == SchemeTel:
		return l.Number
	case l.Host == "":
		return l.User
	default:
		return l.String()
	}
}

// LogValue masks the link for logs by the one log rule (internal/redact):
// scheme, the last digits of the number or user, and the host (not
// personal data).
func (l Link) LogValue() slog.Value {
	who := l.Number
	if l.Scheme != SchemeTel {
		who = l.User
	}
	return slog.GroupValue(
		slog.String("scheme", l.Scheme.String()),
		slog.String("target", redact.Number(who)),
		slog.String("host", l.Host),
	)
}
