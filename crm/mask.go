package crm

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Masked is what a fully masked value looks like. It has a fixed length so
// the mask does not even give away how long the value is.
const Masked = "••••"

// Kind is the kind of a sensitive field; each kind has its own masking rule.
type Kind int

// Field kinds.
const (
	KindCard      Kind = iota // payment card number: last 4 digits
	KindIBAN                  // bank account: country + last 4
	KindEmail                 // e-mail: first letter + domain
	KindBirthDate             // birth date: year only
	KindAddress               // postal address: city only
	KindPhone                 // phone number: last 3 digits
	KindCustom                // anything else (notes, custom CRM fields): fully masked
	numKinds
)

var kindNames = [numKinds]string{"card", "iban", "email", "birth_date", "address", "phone", "custom"}

// String returns the configuration name of the kind ("birth_date").
func (k Kind) String() string {
	if k < 0 || k >= numKinds {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// ParseKind reads a configuration name ("card", "iban", …).
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown field kind %q", ErrBadPolicy, s)
}

// Rule says how a field of a kind appears on the card. The zero value is
// RuleMask, so a Policy left empty masks everything.
type Rule int

// Rules.
const (
	RuleMask Rule = iota // partly shown (see the Mask* functions)
	RuleShow             // shown in full
	RuleHide             // not on the card at all
)

// String returns "mask", "show" or "hide".
func (r Rule) String() string {
	switch r {
	case RuleMask:
		return "mask"
	case RuleShow:
		return "show"
	case RuleHide:
		return "hide"
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// ParseRule reads "show", "mask" or "hide"; empty means "mask".
func ParseRule(s string) (Rule, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "mask":
		return RuleMask, nil
	case "show":
		return RuleShow, nil
	case "hide":
		return RuleHide, nil
	}
	return 0, fmt.Errorf("%w: unknown rule %q (want show, mask or hide)", ErrBadPolicy, s)
}

// FieldRule is the policy for one kind.
type FieldRule struct {
	Rule Rule
	// Revealable lets an agent whose role has the permission reveal a masked
	// field of this kind for a while, with a reason and an audit entry.
	Revealable bool
}

// Policy is the masking policy, one rule per kind. The zero Policy masks
// everything and allows no reveal.
type Policy struct {
	Rules [numKinds]FieldRule
}

// DefaultPolicy is the PCI-DSS/GDPR default: every kind masked; everything
// but card numbers revealable (PCI DSS 3.4: no full PAN on screen).
func DefaultPolicy() Policy {
	var p Policy
	for k := range p.Rules {
		p.Rules[k] = FieldRule{Rule: RuleMask, Revealable: Kind(k) != KindCard && Kind(k) != KindCustom}
	}
	return p
}

// For returns the rule of kind k (RuleMask, not revealable, for an unknown kind).
// A full card number is never shown or revealed, whatever the policy says
// (PCI DSS 3.4): this rule is not configurable, by policy or config.
func (p Policy) For(k Kind) FieldRule {
	if k < 0 || k >= numKinds {
		return FieldRule{Rule: RuleMask}
	}
	r := p.Rules[k]
	if k == KindCard {
		r.Revealable = false
		if r.Rule == RuleShow {
			r.Rule = RuleMask
		}
	}
	return r
}

// Apply returns value as the policy shows it, and whether it is shown at all.
func (p Policy) Apply(k Kind, value string) (shown string, ok bool) {
	switch p.For(k).Rule {
	case RuleHide:
		return "", false
	case RuleShow:
		return strings.TrimSpace(value), true
	default:
		return Mask(k, value), true
	}
}

// Mask returns the masked form of value for kind k. For KindAddress the
// value is a whole address on one line; see MaskAddress for street + city.
func Mask(k Kind, value string) string {
	switch k {
	case KindCard:
		return MaskCard(value)
	case KindIBAN:
		return MaskIBAN(value)
	case KindEmail:
		return MaskEmail(value)
	case KindBirthDate:
		return MaskBirthDate(value)
	case KindAddress:
		return MaskAddress(value, "")
	case KindPhone:
		return MaskPhone(value)
	default:
		return Masked
	}
}

// compact removes the separators people type into card numbers and IBANs
// (spaces of any kind, dashes, dots). ok is false if anything else but
// letters and digits is left.
func compact(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r) || r == '-' || r == '.' || r == '‐' || r == '–':
		case r < utf8.RuneSelf && (unicode.IsDigit(r) || unicode.IsLetter(r)):
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return b.String(), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MaskCard shows the last 4 digits of a card number ("•••• 1234"). A value
// that is not 12–19 digits (after removing spaces and dashes) shows nothing:
// the last 4 of a short "card" would be most of it.
func MaskCard(s string) string {
	d, ok := compact(s)
	if !ok || !allDigits(d) || len(d) < 12 || len(d) > 19 {
		return Masked
	}
	return Masked + " " + d[len(d)-4:]
}

// MaskIBAN shows the country and the last 4 characters ("DE•• •••• 3000").
// A value that is not shaped like an IBAN (2 letters, 2 check digits, 15–34
// characters in all) shows nothing.
func MaskIBAN(s string) string {
	d, ok := compact(s)
	d = strings.ToUpper(d)
	if !ok || len(d) < 15 || len(d) > 34 ||
		!isUpperASCII(d[0]) || !isUpperASCII(d[1]) || !allDigits(d[2:4]) {
		return Masked
	}
	return d[:2] + "•• " + Masked + " " + d[len(d)-4:]
}

func isUpperASCII(c byte) bool { return c >= 'A' && c <= 'Z' }

// MaskEmail shows the first letter of the local part and the domain
// ("j•••@example.com"). A local part of fewer than 3 letters shows none of
// them; a value without a domain shows nothing.
func MaskEmail(s string) string {
	s = strings.TrimSpace(s)
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return Masked
	}
	local, domain := s[:at], s[at+1:]
	if strings.ContainsFunc(domain, unicode.IsSpace) || !utf8.ValidString(s) {
		return Masked
	}
	if utf8.RuneCountInString(local) < 3 {
		return "•••@" + domain
	}
	first, _ := utf8.DecodeRuneInString(local)
	if !unicode.IsLetter(first) && !unicode.IsDigit(first) {
		return "•••@" + domain
	}
	return string(first) + "•••@" + domain
}

// MaskBirthDate shows the year only ("1984"). It reads ISO 8601
// (1984-03-07, 19840307), German (07.03.1984) and slashed dates; a date
// without a year (vCard "--0307") or anything else shows nothing.
func MaskBirthDate(s string) string {
	var runs []string
	cur := strings.Builder{}
	for _, r := range strings.TrimSpace(s) {
		if r >= '0' && r <= '9' {
			cur.WriteRune(r)
			continue
		}
		if cur.Len() > 0 {
			runs = append(runs, cur.String())
			cur.Reset()
		}
	}
	if cur.Len() > 0 {
		runs = append(runs, cur.String())
	}
	for _, r := range runs {
		switch len(r) {
		case 8: // YYYYMMDD
			if plausibleYear(r[:4]) {
				return r[:4]
			}
		case 4:
			if plausibleYear(r) {
				return r
			}
		}
	}
	return Masked
}

func plausibleYear(y string) bool { return y >= "1800" && y <= "2199" }

// MaskAddress shows the city only. With city empty it takes the city from
// a one-line address ("Hauptstr. 5, 45127 Essen" → "Essen"); without a city
// it shows nothing.
func MaskAddress(street, city string) string {
	city = strings.TrimSpace(city)
	if city == "" {
		street = strings.TrimSpace(street)
		i := strings.LastIndexAny(street, ",\n")
		if i < 0 {
			return Masked
		}
		city = strings.TrimSpace(street[i+1:])
		// Drop a postal code ("45127", "D-45127", "SW1A 1AA" cannot be told
		// apart from a city reliably, so only leading digit groups go).
		for {
			f := strings.Fields(city)
			if len(f) < 2 || !strings.ContainsAny(f[0], "0123456789") {
				break
			}
			city = strings.Join(f[1:], " ")
		}
		if city == "" || strings.ContainsAny(city, "0123456789") {
			return Masked
		}
	}
	return city
}

// MaskPhone shows the last 3 digits of a number ("••••900"); numbers of
// fewer than 9 digits show at most a third of them.
func MaskPhone(s string) string {
	r := redactNumber(s)
	return Masked + strings.TrimPrefix(r, "…")
}
