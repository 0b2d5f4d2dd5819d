package redact

import "testing"

func TestNumber(t *testing.T) {
	for in, want := range map[string]string{
		"+4920180900":   "…900",
		"0201 80900":    "…900",
		"12":            "…",
		"":              "…",
		"mallory":       "…",
		"+49 170 12345": "…345",
		"123456":        "…56",
	} {
		if got := Number(in); got != want {
			t.Errorf("Number(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURI(t *testing.T) {
	for in, want := range map[string]string{
		"sip:+4930123456@pbx.example.com;transport=tls": "sip:…456@pbx.example.com",
		"+4930123456":               "…456",
		"sip:bob@x":                 "sip:…@x",
		"tel:+4930123456;ext=12":    "tel:…456",
		"sips:mallory@example.test": "sips:…@example.test",
	} {
		if got := URI(in); got != want {
			t.Errorf("URI(%q) = %q, want %q", in, got, want)
		}
	}
}
