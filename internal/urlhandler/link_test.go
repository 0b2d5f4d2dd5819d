package urlhandler

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseValid(t *testing.T) {
	for _, tc := range []struct {
		name, in  string
		want      Link
		canonical string
		target    string
	}{
		{"sip user host", "sip:alice@example.com",
			Link{Scheme: SchemeSIP, User: "alice", Host: "example.com"}, "sip:alice@example.com", "sip:alice@example.com"},
		{"upper-case scheme and host", "SIP:Alice@PBX.Example.COM",
			Link{Scheme: SchemeSIP, User: "Alice", Host: "pbx.example.com"}, "sip:Alice@pbx.example.com", "sip:Alice@pbx.example.com"},
		{"sips with port", "sips:100@10.0.0.1:5061",
			Link{Scheme: SchemeSIPS, User: "100", Host: "10.0.0.1", Port: 5061}, "sips:100@10.0.0.1:5061", "sips:100@10.0.0.1:5061"},
		{"ipv6", "sip:bob@[2001:db8::1]:5060",
			Link{Scheme: SchemeSIP, User: "bob", Host: "2001:db8::1", Port: 5060}, "sip:bob@[2001:db8::1]:5060", "sip:bob@[2001:db8::1]:5060"},
		{"user=phone kept, transport dropped", "sip:+4930123@pbx.example.com;transport=udp;user=phone;maddr=evil.example",
			Link{Scheme: SchemeSIP, User: "+4930123", Host: "pbx.example.com", UserPhone: true},
			"sip:+4930123@pbx.example.com;user=phone", "sip:+4930123@pbx.example.com;user=phone"},
		{"sip slash slash", "sip://carol@example.org",
			Link{Scheme: SchemeSIP, User: "carol", Host: "example.org"}, "sip:carol@example.org", "sip:carol@example.org"},
		{"escaped user", "sip:%2A21%23@pbx.example",
			Link{Scheme: SchemeSIP, User: "*21#", Host: "pbx.example"}, "sip:*21%23@pbx.example", "sip:*21%23@pbx.example"},
		{"host only", "sip:pbx.example.com",
			Link{Scheme: SchemeSIP, Host: "pbx.example.com"}, "sip:pbx.example.com", "sip:pbx.example.com"},
		{"bare extension", "sip:100",
			Link{Scheme: SchemeSIP, User: "100"}, "sip:100", "100"},
		{"tel global with separators", "tel:+49-201-809000",
			Link{Scheme: SchemeTel, Number: "+49201809000"}, "tel:+49201809000", "+49201809000"},
		{"tel spaces and parens encoded", "tel:+1%20(201)%20555.0123",
			Link{Scheme: SchemeTel, Number: "+12015550123"}, "tel:+12015550123", "+12015550123"},
		{"tel local with context and ext", "tel:0201%20809000;phone-context=+49;ext=12",
			Link{Scheme: SchemeTel, Number: "0201809000", Ext: "12"}, "tel:0201809000;ext=12", "0201809000"},
		{"tel service code", "tel:*21#;phone-context=example.com",
			Link{Scheme: SchemeTel, Number: "*21#"}, "tel:*21#", "*21#"},
		{"tel uppercase scheme, surrounding space", "  TEL:7042  ",
			Link{Scheme: SchemeTel, Number: "7042"}, "tel:7042", "7042"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.canonical, got.String())
			assert.Equal(t, tc.target, got.Target())
			again, err := Parse(got.String())
			require.NoError(t, err, "canonical form parses")
			assert.Equal(t, got, again, "canonical form round-trips")
		})
	}
}

func TestParseInvalid(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     error
	}{
		{"empty", "", ErrInvalidLink},
		{"no scheme", "alice@example.com", ErrInvalidLink},
		{"http", "http://example.com", ErrUnsupportedScheme},
		{"javascript", "javascript:alert(1)", ErrUnsupportedScheme},
		{"callto", "callto:+4930123", ErrUnsupportedScheme},
		{"sip headers", "sip:alice@example.com?Replaces=abc", ErrInvalidLink},
		{"sip password", "sip:alice:secret@example.com", ErrInvalidLink},
		{"sip empty user", "sip:@example.com", ErrInvalidLink},
		{"sip no host", "sip:alice@", ErrInvalidLink},
		{"sip bad host", "sip:alice@exa_mple.com", ErrInvalidLink},
		{"sip host dash", "sip:alice@-example.com", ErrInvalidLink},
		{"sip bad port", "sip:alice@example.com:99999", ErrInvalidLink},
		{"sip port zero", "sip:alice@example.com:0", ErrInvalidLink},
		{"sip bad ipv6", "sip:alice@[zz::1]", ErrInvalidLink},
		{"sip zone", "sip:alice@[fe80::1%25eth0]", ErrInvalidLink},
		{"sip escaped CRLF in user", "sip:alice%0d%0aVia:x@example.com", ErrInvalidLink},
		{"sip escaped NUL", "sip:a%00b@example.com", ErrInvalidLink},
		{"sip raw newline", "sip:alice@example.com\nX", ErrInvalidLink},
		{"sip non-ascii user", "sip:jürgen@example.com", ErrInvalidLink},
		{"sip angle bracket", "sip:a%3Eb@example.com", ErrInvalidLink},
		{"tel empty", "tel:", ErrInvalidLink},
		{"tel letters", "tel:1-800-FLOWERS", ErrInvalidLink},
		{"tel only separators", "tel:---", ErrInvalidLink},
		{"tel global too long", "tel:+1234567890123456", ErrInvalidLink},
		{"tel star in global", "tel:+49*1", ErrInvalidLink},
		{"tel escaped newline", "tel:123%0A456", ErrInvalidLink},
		{"tel bad escape", "tel:12%G3", ErrInvalidLink},
		{"tel bad ext", "tel:+4930;ext=1a", ErrInvalidLink},
		{"bad utf8", "tel:\xff1", ErrInvalidLink},
		{"too long", "tel:" + strings.Repeat("1", MaxLinkLen), ErrInvalidLink},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

func TestSchemeString(t *testing.T) {
	for s, want := range map[Scheme]string{SchemeSIP: "sip", SchemeSIPS: "sips", SchemeTel: "tel", 0: "Scheme(?)"} {
		assert.Equal(t, want, s.String())
	}
}

func TestLogValueMasksNumber(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	for _, in := range []string{"tel:+49201809000", "sip:+49201809000@pbx.example.com"} {
		l, err := Parse(in)
		require.NoError(t, err)
		log.Info("dial", "link", l)
	}
	out := b.String()
	assert.NotContains(t, out, "201809", "the number must not reach the log")
	assert.Contains(t, out, "link.scheme=tel")
	assert.Contains(t, out, "link.target=…000")
	assert.Contains(t, out, "link.host=pbx.example.com")
	assert.NotContains(t, fmt.Sprint(Link{Scheme: SchemeTel, Number: "+4930123"}.LogValue()), "30123"[:4])
}
