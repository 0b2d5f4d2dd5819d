package crm

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/config"
)

func sampleContact() Contact {
	return Contact{
		CustomerID:        "C1001",
		Name:              " Jürgen Groß ",
		Phones:            []string{"+4920180900", "+491701234567"},
		Email:             "juergen.gross@example.com",
		BirthDate:         "1984-03-07",
		IBAN:              "DE89 3704 0044 0532 0130 00",
		Card:              "4111 1111 1111 1111",
		Address:           "Hauptstr. 5",
		City:              "Essen",
		Consent:           ConsentRefused,
		PaymentInProgress: true,
		Notes:             "VIP, calls about invoice 4711",
		Custom:            map[string]string{"Tier": "gold"},
	}
}

// plainValues are the sensitive parts that must never be on a masked card.
var plainValues = []string{"80900", "1234567", "juergen.gross", "03-07", "3704", "0532", "4111 1111", "Hauptstr", "VIP", "gold"}

func TestNewCardDefaultPolicy(t *testing.T) {
	card := NewCard(sampleContact(), DefaultPolicy())
	assert.Equal(t, "C1001", card.CustomerID)
	assert.Equal(t, "Jürgen Groß", card.Name)
	assert.Equal(t, ConsentRefused, card.Consent)
	assert.True(t, card.PaymentInProgress)

	want := map[string]string{
		"phone1": "••••900", "phone2": "••••567", "email": "j•••@example.com", "birth_date": "1984",
		"address": "Essen", "iban": "DE•• •••• 3000", "card": "•••• 1111", "notes": Masked, "custom.Tier": Masked,
	}
	got := map[string]string{}
	for _, f := range card.Fields {
		got[f.Key] = f.Value
		assert.True(t, f.Masked, f.Key)
	}
	assert.Equal(t, want, got)

	f, ok := card.Field("card")
	require.True(t, ok)
	assert.False(t, f.Revealable, "PCI: no full PAN")
	f, _ = card.Field("iban")
	assert.True(t, f.Revealable)
	f, _ = card.Field("notes")
	assert.False(t, f.Revealable)

	b, err := json.Marshal(card)
	require.NoError(t, err)
	for _, v := range plainValues {
		assert.NotContains(t, string(b), v)
	}
}

func TestNewCardShowAndHide(t *testing.T) {
	p := DefaultPolicy()
	p.Rules[KindEmail] = FieldRule{Rule: RuleShow}
	p.Rules[KindCard] = FieldRule{Rule: RuleHide}
	p.Rules[KindCustom] = FieldRule{Rule: RuleHide}
	card := NewCard(sampleContact(), p)

	_, ok := card.Field("card")
	assert.False(t, ok, "hidden fields are not on the card")
	_, ok = card.Field("notes")
	assert.False(t, ok)
	f, ok := card.Field("email")
	require.True(t, ok)
	assert.Equal(t, "juergen.gross@example.com", f.Value)
	assert.False(t, f.Masked)
	assert.False(t, f.Revealable, "a shown field has nothing to reveal")
}

func TestNewCardMinimal(t *testing.T) {
	card := NewCard(Contact{CustomerID: "C1", Name: "Ann", Phones: []string{"+4920180900"}}, DefaultPolicy())
	require.Len(t, card.Fields, 1, "empty fields are left out")
	assert.Equal(t, "phone1", card.Fields[0].Key)
}

func TestParseConsent(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Consent
		ok   bool
	}{
		{"yes", ConsentGiven, true}, {"No", ConsentRefused, true}, {"unknown", ConsentUnknown, true},
		{"", ConsentUnknown, true}, {"true", ConsentGiven, true}, {"opt-out", ConsentRefused, true},
		{"maybe", ConsentUnknown, false},
	} {
		got, ok := ParseConsent(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		assert.Equal(t, tt.ok, ok, tt.in)
	}
	assert.Equal(t, "yes", ConsentGiven.String())
	assert.Equal(t, "no", ConsentRefused.String())
	assert.Equal(t, "unknown", ConsentUnknown.String())
}

// A full card number is never shown or revealable, whatever the config or
// policy says (issue: `card = "show"` and `reveal = ["card"]` printed it).
func TestCardNeverShown(t *testing.T) {
	p, err := PolicyFromConfig(config.CRMMask{Card: "show", Reveal: []string{"card"}})
	require.NoError(t, err)
	card := NewCard(sampleContact(), p)
	f, ok := card.Field("card")
	require.True(t, ok)
	assert.True(t, f.Masked)
	assert.False(t, f.Revealable)
	assert.NotContains(t, f.Value, "4111 1111")
	b, err := json.Marshal(card)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "1111 1111")
}
