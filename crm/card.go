package crm

import (
	"log/slog"
	"sort"
	"strconv"
	"strings"
)

// Card is what the agent sees of a contact: name, customer id and the
// fields the policy lets through, already masked. It holds no unmasked
// sensitive value, so it may be handed to the UI and copied freely.
type Card struct {
	CustomerID string
	Name       string
	// Fields in display order; hidden fields are absent.
	Fields []CardField
	// Consent is the customer's recording consent.
	Consent Consent
	// PaymentInProgress is set while the customer is giving card data; the
	// recorder pauses on it.
	PaymentInProgress bool
}

// CardField is one line of the card.
type CardField struct {
	// Key identifies the field for Reveal and Copy: "phone1", "email", "iban",
	// "card", "birth_date", "address", "notes", "custom.<label>".
	Key string
	// Label is the English label; the UI may translate by Key.
	Label string
	Kind  Kind
	// Value is the text to show (masked unless Masked is false).
	Value string
	// Masked is true when Value is not the whole value.
	Masked bool
	// Revealable is true when an agent with the permission may reveal it.
	Revealable bool
}

// Field returns the field with that key.
func (c Card) Field(key string) (CardField, bool) {
	for _, f := range c.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return CardField{}, false
}

// LogValue keeps the card out of logs: only how many fields it has.
func (c Card) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("fields", len(c.Fields)))
}

// plainField is a card line with its unmasked value; it stays inside crm.
type plainField struct {
	CardField
	plain string
}

// buildFields lists the contact's non-empty fields in display order with
// both forms, applying p.
func buildFields(c Contact, p Policy) []plainField {
	var out []plainField
	add := func(key, label string, k Kind, plain, masked string) {
		if strings.TrimSpace(plain) == "" {
			return
		}
		rule := p.For(k)
		f := plainField{CardField: CardField{Key: key, Label: label, Kind: k}, plain: strings.TrimSpace(plain)}
		switch rule.Rule {
		case RuleHide:
			return
		case RuleShow:
			f.Value = f.plain
		default:
			f.Value = masked
			f.Masked = true
			f.Revealable = rule.Revealable
		}
		out = append(out, f)
	}
	for i, ph := range c.Phones {
		add("phone"+strconv.Itoa(i+1), "Phone", KindPhone, ph, MaskPhone(ph))
	}
	add("email", "E-mail", KindEmail, c.Email, MaskEmail(c.Email))
	add("birth_date", "Birth date", KindBirthDate, c.BirthDate, MaskBirthDate(c.BirthDate))
	addr := strings.TrimSpace(c.Address)
	if city := strings.TrimSpace(c.City); city != "" {
		if addr != "" {
			addr += ", " + city
		} else {
			addr = city
		}
	}
	add("address", "Address", KindAddress, addr, MaskAddress(c.Address, c.City))
	add("iban", "IBAN", KindIBAN, c.IBAN, MaskIBAN(c.IBAN))
	add("card", "Card", KindCard, c.Card, MaskCard(c.Card))
	add("notes", "Notes", KindCustom, c.Notes, Masked)
	labels := make([]string, 0, len(c.Custom))
	for l := range c.Custom {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		add("custom."+l, l, KindCustom, c.Custom[l], Masked)
	}
	return out
}

// NewCard builds the card of c under policy p.
func NewCard(c Contact, p Policy) Card {
	fs := buildFields(c, p)
	card := Card{
		CustomerID:        c.CustomerID,
		Name:              strings.TrimSpace(c.Name),
		Consent:           c.Consent,
		PaymentInProgress: c.PaymentInProgress,
		Fields:            make([]CardField, len(fs)),
	}
	for i, f := range fs {
		card.Fields[i] = f.CardField
	}
	return card
}
