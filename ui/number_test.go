package ui

import (
	"errors"
	"strings"
	"testing"
	"unicode"
)

func TestCleanNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"+49 (201) 809-000", "+49201809000", nil},
		{"+49 (0)201 809000", "+49201809000", nil},
		{"0201 / 80 90 00", "0201809000", nil},
		{"0201.809.000", "0201809000", nil},
		{"\u200b+49\u00a0201\u2009809000\n", "+49201809000", nil}, // zero-width, no-break and thin spaces
		{"＋４９ ２０１ ８０９０００", "+49201809000", nil},                   // full-width digits
		{"+49 201 809000\u2013", "+49201809000", nil},             // en dash
		{"tel:+49-201-809000;phone-context=example.com", "+49201809000", nil},
		{"sip:1002@pbx.example.com", "sip:1002@pbx.example.com", nil},
		{"SIPS:alice@pbx.example.com;transport=tls", "SIPS:alice@pbx.example.com;transport=tls", nil},
		{"alice@pbx.example.com", "alice@pbx.example.com", nil},
		{"echo", "echo", nil},
		{"support.desk-2", "support.desk-2", nil},
		{"*43", "*43", nil},
		{"#31#0201809000", "#31#0201809000", nil},
		{"1002", "1002", nil},
		{"", "", ErrEmptyNumber},
		{"  \t ", "", ErrEmptyNumber},
		{"()-", "", ErrInvalidNumber},
		{"+", "", ErrInvalidNumber},
		{"49+201", "", ErrInvalidNumber},
		{"++49201", "", ErrInvalidNumber},
		{"call me", "", ErrInvalidNumber},
		{"0201 809000 ext. 12", "", ErrInvalidNumber},
		{"sip:", "", ErrInvalidNumber},
		{"sip:a b@c", "", ErrInvalidNumber},
		{"a b@c", "", ErrInvalidNumber},
		{strings.Repeat("1", 33), "", ErrNumberTooLong},
		{strings.Repeat("1", 32), strings.Repeat("1", 32), nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := CleanNumber(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CleanNumber(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("CleanNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskNumber(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+49201809012", "+49 201 ••• •• 12"},
		{"+49 (201) 809-012", "+49 201 ••• •• 12"},
		{"+4930123456789", "+49 301 ••• •• 89"},
		{"+12025550123", "+1 202 ••• •• 23"},
		{"+353861234567", "+353 861 ••• •• 67"},
		{"0201809012", "0201 ••• •• 12"},
		{"+4912", "+49 ••• •• 12"},
		{"+49", "+••"},
		{"1002", "1002"},
		{"*43", "*43"},
		{"sip:+49201809012@pbx.example.com", "sip:+49 201 ••• •• 12@pbx.example.com"},
		{"sip:erika@pbx.example.com;transport=tls", "sip:e••••@pbx.example.com"},
		{"erika.mustermann", "e••••••"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := MaskNumber(tt.in); got != tt.want {
				t.Errorf("MaskNumber(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMaskName(t *testing.T) {
	if got := MaskName("Erika  Mustermann"); got != "E. M." {
		t.Errorf("MaskName = %q", got)
	}
	if got := MaskName(""); got != "" {
		t.Errorf("MaskName(empty) = %q", got)
	}
}

// FuzzCleanNumber checks the paste parser on arbitrary clipboard content:
// no panic, the result is dialable and stable, and masking it never shows
// more than the prefix and the last two digits.
func FuzzCleanNumber(f *testing.F) {
	for _, s := range []string{"+49 (201) 809-000", "tel:+1-202-555-0123", "sip:1002@pbx", "echo", "＋４９", "*43#", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := CleanNumber(in)
		masked := MaskNumber(in)
		if err != nil {
			if out != "" {
				t.Fatalf("error %v with output %q", err, out)
			}
			return
		}
		again, err := CleanNumber(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", in, out, again, err)
		}
		lower := strings.ToLower(out)
		if strings.HasPrefix(lower, "sip") || strings.Contains(out, "@") || isUserName(out) {
			return
		}
		if strings.IndexFunc(out, unicode.IsSpace) >= 0 {
			t.Fatalf("spaces left in %q", out)
		}
		digits := strings.Count(strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' || r == '*' || r == '#' {
				return 'd'
			}
			return -1
		}, out), "d")
		shown := 0
		for _, r := range masked {
			if r >= '0' && r <= '9' || r == '*' || r == '#' {
				shown++
			}
		}
		if digits > visibleShort && (shown >= digits || shown > 8) {
			t.Fatalf("MaskNumber(%q) = %q shows %d of %d digits", in, masked, shown, digits)
		}
	})
}
