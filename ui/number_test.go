package ui

import (
	"strings"
	"testing"
	"unicode"

	"softphone/phone"
)

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
		out, err := phone.CleanNumber(in)
		masked := MaskNumber(in)
		if err != nil {
			if out != "" {
				t.Fatalf("error %v with output %q", err, out)
			}
			return
		}
		again, err := phone.CleanNumber(out)
		if err != nil || again != out {
			t.Fatalf("not idempotent: %q → %q → %q (%v)", in, out, again, err)
		}
		lower := strings.ToLower(out)
		if strings.HasPrefix(lower, "sip") || strings.Contains(out, "@") || phone.IsUserName(out) {
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
