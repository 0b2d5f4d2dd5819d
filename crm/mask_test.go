package crm

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/config"
)

func TestMaskCard(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain 16 digits", "4111111111111111", "•••• 1111"},
		{"spaces", "4111 1111 1111 1234", "•••• 1234"},
		{"dashes", "5500-0000-0000-0004", "•••• 0004"},
		{"leading and trailing space", "  4111111111111234 ", "•••• 1234"},
		{"no-break spaces", "4111\u00a01111\u00a01111\u00a09876", "•••• 9876"},
		{"19 digits", "6011000990139424123", "•••• 4123"},
		{"12 digits (shortest PAN)", "123456789012", "•••• 9012"},
		{"11 digits shows nothing", "12345678901", Masked},
		{"3-digit card shows nothing", "123", Masked},
		{"4-digit card shows nothing", "1234", Masked},
		{"20 digits is no PAN", "12345678901234567890", Masked},
		{"letters", "4111-1111-1111-ABCD", Masked},
		{"non-ASCII digits", "٤١١١١١١١١١١١١١١١", Masked},
		{"empty", "", Masked},
		{"only separators", " - - ", Masked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MaskCard(tt.in))
		})
	}
}

func TestMaskIBAN(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"compact", "DE89370400440532013000", "DE•• •••• 3000"},
		{"grouped", "DE89 3704 0044 0532 0130 00", "DE•• •••• 3000"},
		{"lower case", "gb82west12345698765432", "GB•• •••• 5432"},
		{"shortest (NO, 15)", "NO9386011117947", "NO•• •••• 7947"},
		{"too short", "DE89 3704", Masked},
		{"3 chars", "DE8", Masked},
		{"no country", "1289370400440532013000", Masked},
		{"no check digits", "DEXX370400440532013000", Masked},
		{"umlaut inside", "DE89370400440532013ä00", Masked},
		{"empty", "", Masked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MaskIBAN(tt.in))
		})
	}
}

func TestMaskEmail(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "juergen@example.com", "j•••@example.com"},
		{"spaces around", "  juergen@example.com ", "j•••@example.com"},
		{"non-ASCII first letter", "ülrich@beispiel.de", "ü•••@beispiel.de"},
		{"CJK local part", "李小龙@example.cn", "李•••@example.cn"},
		{"IDN domain", "max@müller.de", "m•••@müller.de"},
		{"two-letter local shows none", "jo@example.com", "•••@example.com"},
		{"one-letter local shows none", "j@example.com", "•••@example.com"},
		{"symbol first", "+tag@example.com", "•••@example.com"},
		{"quoted local with @", `"a@b"@example.com`, "•••@example.com"},
		{"no at", "juergen.example.com", Masked},
		{"no domain", "juergen@", Masked},
		{"no local", "@example.com", Masked},
		{"space in domain", "a@exa mple.com", Masked},
		{"invalid UTF-8", "ab\xffc@example.com", Masked},
		{"empty", "", Masked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MaskEmail(tt.in))
		})
	}
}

func TestMaskBirthDate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ISO", "1984-03-07", "1984"},
		{"ISO basic", "19840307", "1984"},
		{"German", "07.03.1984", "1984"},
		{"German short day", "7.3.1984", "1984"},
		{"slashes", "03/07/1984", "1984"},
		{"spaces", " 1984 - 03 - 07 ", "1984"},
		{"year only", "1984", "1984"},
		{"vCard without year", "--0307", Masked},
		{"two-digit year", "07.03.84", Masked},
		{"implausible year", "0001-01-01", Masked},
		{"text", "unknown", Masked},
		{"empty", "", Masked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MaskBirthDate(tt.in))
		})
	}
}

func TestMaskAddress(t *testing.T) {
	tests := []struct{ name, street, city, want string }{
		{"city column", "Hauptstr. 5", "Essen", "Essen"},
		{"city with spaces", "Hauptstr. 5", "  Frankfurt am Main ", "Frankfurt am Main"},
		{"non-ASCII city", "Rue 1", "Zürich", "Zürich"},
		{"one line with postcode", "Hauptstr. 5, 45127 Essen", "", "Essen"},
		{"one line with country postcode", "Hauptstr. 5, D-45127 Essen", "", "Essen"},
		{"one line no postcode", "Am Markt 1, Köln", "", "Köln"},
		{"multi-line", "Am Markt 1\n50667 Köln", "", "Köln"},
		{"street only shows nothing", "Hauptstr. 5", "", Masked},
		{"postcode only shows nothing", "Hauptstr. 5, 45127", "", Masked},
		{"empty", "", "", Masked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MaskAddress(tt.street, tt.city))
		})
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"E.164", "+4920180900", "••••900"},
		{"formatted", "+49 201 80900", "••••900"},
		{"short extension", "12", "••••"},
		{"six digits", "123456", "••••56"},
		{"empty", "", "••••"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, MaskPhone(tt.in))
		})
	}
}

func TestMaskNeverLongerThanRule(t *testing.T) {
	// Whatever the input, a masked card shows at most 4 digits and an IBAN
	// at most 2 letters and 4 characters: the rule, not the input, bounds it.
	inputs := []string{"4111111111111111", "41111111111111111111111", "DE89370400440532013000", "1", "", "ABCD"}
	for _, in := range inputs {
		c := MaskCard(in)
		assert.LessOrEqual(t, strings.Count(c, "")-1-strings.Count(c, "•")-strings.Count(c, " "), 4, "card %q", in)
		i := MaskIBAN(in)
		assert.LessOrEqual(t, len(strings.NewReplacer("•", "", " ", "").Replace(i)), 6, "iban %q", in)
	}
}

func TestPolicyApply(t *testing.T) {
	p := DefaultPolicy()
	p.Rules[KindEmail].Rule = RuleShow
	p.Rules[KindIBAN].Rule = RuleHide

	got, ok := p.Apply(KindCard, "4111 1111 1111 1111")
	assert.True(t, ok)
	assert.Equal(t, "•••• 1111", got)
	got, ok = p.Apply(KindEmail, " a@b.de ")
	assert.True(t, ok)
	assert.Equal(t, "a@b.de", got)
	_, ok = p.Apply(KindIBAN, "DE89370400440532013000")
	assert.False(t, ok)
	got, _ = p.Apply(KindCustom, "secret")
	assert.Equal(t, Masked, got)
	got, _ = Policy{}.Apply(Kind(99), "x")
	assert.Equal(t, Masked, got, "unknown kinds are masked")
}

func TestParseRuleAndKind(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Rule
	}{{"", RuleMask}, {"mask", RuleMask}, {"SHOW", RuleShow}, {" hide ", RuleHide}} {
		r, err := ParseRule(tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.want, r)
	}
	_, err := ParseRule("partial")
	assert.ErrorIs(t, err, ErrBadPolicy)
	for k := Kind(0); k < numKinds; k++ {
		got, err := ParseKind(k.String())
		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
	_, err = ParseKind("ssn")
	assert.ErrorIs(t, err, ErrBadPolicy)
	assert.Equal(t, "Kind(42)", Kind(42).String())
	assert.Equal(t, "hide", RuleHide.String())
}

func TestPolicyFromConfigDefaultsMatch(t *testing.T) {
	// The config file's defaults and the package's defaults must agree, or
	// an agent without a config file would see a different card.
	p, err := PolicyFromConfig(config.Default().CRM.Mask)
	require.NoError(t, err)
	assert.Equal(t, DefaultPolicy(), p)
	assert.False(t, p.For(KindCard).Revealable, "PCI: card numbers are never revealable by default")
	require.NoError(t, config.Default().CRM.Validate())

	_, err = PolicyFromConfig(config.CRMMask{Card: "everything"})
	assert.ErrorIs(t, err, ErrBadPolicy)
	_, err = PolicyFromConfig(config.CRMMask{Reveal: []string{"ssn"}})
	assert.ErrorIs(t, err, ErrBadPolicy)
}
