package crm

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// CSVColumns are the columns ReadCSV knows, in the order of the demo data.
// customer_id, name and phone are required; the rest may be absent.
var CSVColumns = []string{"customer_id", "name", "phone", "phone2", "email", "birth_date", "iban", "card",
	"address", "city", "consent", "payment_in_progress", "notes"}

// maxBadRows bounds the report of one import; past it the import stops
// (a file that bad is the wrong file).
const maxBadRows = 10000

// ReadCSV reads contacts from CSV with a header row naming CSVColumns (any
// order; unknown columns are ignored). Each good row is passed to fn; bad
// rows are collected with their line numbers and skipped. The error is for
// what stops the whole file: an unreadable header, a failing fn, too many
// bad rows, or a read error.
func ReadCSV(r io.Reader, region string, fn func(Contact) error) ([]RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("csv: the file is empty")
		}
		return nil, fmt.Errorf("csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup && h != "" {
			return nil, fmt.Errorf("csv header: column %q appears twice", h)
		}
		col[h] = i
	}
	for _, req := range []string{"customer_id", "name", "phone"} {
		if _, ok := col[req]; !ok {
			return nil, fmt.Errorf("csv header: column %q is missing (want %s)", req, strings.Join(CSVColumns, ","))
		}
	}
	var bad []RowError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return bad, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			bad = append(bad, RowError{Line: pe.StartLine, Reason: "malformed CSV: " + pe.Err.Error()})
			if len(bad) >= maxBadRows {
				return bad, fmt.Errorf("csv: more than %d bad rows, stopped", maxBadRows)
			}
			continue
		}
		if err != nil {
			return bad, fmt.Errorf("csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) != len(head) {
			bad = append(bad, RowError{Line: line, Reason: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(head))})
		} else if c, reason := csvContact(rec, col, region); reason != "" {
			bad = append(bad, RowError{Line: line, Reason: reason})
		} else if err := fn(c); err != nil {
			return bad, err
		}
		if len(bad) >= maxBadRows {
			return bad, fmt.Errorf("csv: more than %d bad rows, stopped", maxBadRows)
		}
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// csvContact turns one record into a contact, or says why it cannot.
func csvContact(rec []string, col map[string]int, region string) (Contact, string) {
	get := func(name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	c := Contact{
		CustomerID: get("customer_id"),
		Name:       get("name"),
		Email:      get("email"),
		BirthDate:  get("birth_date"),
		IBAN:       get("iban"),
		Card:       get("card"),
		Address:    get("address"),
		City:       get("city"),
		Notes:      get("notes"),
	}
	for _, p := range []string{"phone", "phone2"} {
		if v := get(p); v != "" {
			if err := addPhone(&c, v, region); err != nil {
				return Contact{}, p + " is not a valid phone number"
			}
		}
	}
	var ok bool
	if c.Consent, ok = ParseConsent(get("consent")); !ok {
		return Contact{}, "consent must be yes, no or unknown"
	}
	if c.PaymentInProgress, ok = parseBool(get("payment_in_progress")); !ok {
		return Contact{}, "payment_in_progress must be yes or no"
	}
	if reason := validateContact(&c); reason != "" {
		return Contact{}, reason
	}
	return c, ""
}
