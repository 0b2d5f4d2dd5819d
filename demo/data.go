package demo

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"slices"

	"softphone/crm"
)

//go:embed data/contacts.csv
var contactsCSV []byte

// ContactsHeader is the exact header row of ContactsCSV, in order.
var ContactsHeader = []string{
	"customer_id", "name", "phone", "phone2", "email", "birth_date", "iban", "card",
	"address", "city", "consent", "payment_in_progress", "notes",
}

// ContactsCSV returns a copy of the embedded demo CRM data: about twenty
// clearly synthetic customers (names marked "(Demo)", numbers in the
// +49 201 809000xx range, well-known test card numbers, the standard example
// IBANs). The header row is ContactsHeader.
func ContactsCSV() []byte { return bytes.Clone(contactsCSV) }

// Customer is one synthetic demo customer who can call the agent.
type Customer struct {
	ID     string // customer_id, e.g. "DEMO-0001"
	Name   string // display name, always ending in "(Demo)"
	Number string // E.164, e.g. "+4920180900001"
}

// LogValue keeps the name and number of a customer out of logs; the demo
// data is synthetic, but the code path is the one real data takes.
func (c Customer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.Any("number", crm.Number(c.Number)))
}

// parseCustomers reads a contacts file with the ContactsHeader columns.
func parseCustomers(r io.Reader) ([]Customer, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(ContactsHeader)
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrBadContacts, err)
	}
	if !slices.Equal(head, ContactsHeader) {
		return nil, fmt.Errorf("%w: unexpected header", ErrBadContacts)
	}
	var out []Customer
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadContacts, err)
		}
		c := Customer{ID: rec[0], Name: rec[1], Number: rec[2]}
		if c.ID == "" || c.Name == "" || !isE164(c.Number) {
			return nil, fmt.Errorf("%w: line %d: missing id, name or E.164 number", ErrBadContacts, len(out)+2)
		}
		out = append(out, c)
	}
}

// isE164 reports whether s is "+" followed by 2 to 15 digits.
func isE164(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, r := range s[1:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
