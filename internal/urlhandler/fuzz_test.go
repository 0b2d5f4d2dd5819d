package urlhandler

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzParse feeds links as browsers and other programs hand them over.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"sip:alice@example.com", "sips:100@10.0.0.1:5061", "sip:bob@[2001:db8::1]:5060;user=phone",
		"sip:100", "sip://carol@example.org", "sip:%2A21%23@pbx.example", "sip:a@b?h=v",
		"tel:+49-201-809000", "tel:0201%20809000;phone-context=+49;ext=12", "tel:*21#", "TEL:+1 (201) 555.0123",
		"sip:alice%0d%0a@x", "tel:%", "sip:[::1", "sip:a@b:65536", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		l, err := Parse(in)
		if err != nil {
			return
		}
		s := l.String()
		for _, r := range s {
			if unicode.IsControl(r) || r > unicode.MaxASCII {
				t.Fatalf("canonical form of %q has %q", in, r)
			}
		}
		if strings.ContainsAny(s, "?<>\" ") {
			t.Fatalf("canonical form %q of %q has a forbidden character", s, in)
		}
		again, err := Parse(s)
		if err != nil {
			t.Fatalf("canonical form %q of %q does not parse: %v", s, in, err)
		}
		if again != l {
			t.Fatalf("round trip of %q: %+v != %+v", in, again, l)
		}
		if l.Target() == "" {
			t.Fatalf("empty target for %q", in)
		}
	})
}
