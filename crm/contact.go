package crm

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// Directory is a contact source: the embedded Store or a REST CRM.
// Implementations must honour ctx (its deadline is the lookup timeout).
type Directory interface {
	// LookupNumber returns every contact that has the E.164 number e164
	// (none is not an error).
	LookupNumber(ctx context.Context, e164 string) ([]Contact, error)
	// LookupCustomer returns the contact with that customer id, or ErrNotFound.
	LookupCustomer(ctx context.Context, customerID string) (Contact, error)
	// WriteWrapUp stores the call notes and wrap-up code of a finished call.
	WriteWrapUp(ctx context.Context, w WrapUp) error
}

// Contact is one customer as the directory holds it, unmasked. It never
// leaves package crm towards a UI or a log: callers get a Card.
type Contact struct {
	CustomerID string
	Name       string
	// Phones are E.164 numbers ("+4920180900").
	Phones            []string
	Email             string
	BirthDate         string
	IBAN              string
	Card              string // payment card number (PAN)
	Address           string // street and house number (or the whole address)
	City              string
	Consent           Consent
	PaymentInProgress bool
	Notes             string
	// Custom holds extra fields from a REST CRM, label → value.
	Custom map[string]string
}

// LogValue keeps a contact out of logs: only a count of phone numbers.
func (c Contact) LogValue() slog.Value {
	return slog.GroupValue(slog.Int("phones", len(c.Phones)))
}

// Consent is the customer's answer to call recording.
type Consent int

// Consent values.
const (
	ConsentUnknown Consent = iota // not asked or not recorded
	ConsentGiven                  // the customer agreed to recording
	ConsentRefused                // the customer objected: do not record
)

// String returns "unknown", "yes" or "no" (the CSV spelling).
func (c Consent) String() string {
	switch c {
	case ConsentGiven:
		return "yes"
	case ConsentRefused:
		return "no"
	default:
		return "unknown"
	}
}

// ParseConsent reads the CSV spelling (yes/no/unknown, empty = unknown) and
// the common CRM spellings (true/false, granted/denied, opt-in/opt-out).
// ok is false for anything else.
func ParseConsent(s string) (c Consent, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "unknown", "null":
		return ConsentUnknown, true
	case "yes", "y", "true", "1", "granted", "given", "opt-in", "optin", "ja":
		return ConsentGiven, true
	case "no", "n", "false", "0", "denied", "refused", "opt-out", "optout", "nein":
		return ConsentRefused, true
	}
	return ConsentUnknown, false
}

// parseBool reads yes/no/true/false/1/0 (empty = false).
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "n", "false", "0", "nein":
		return false, true
	case "yes", "y", "true", "1", "ja":
		return true, true
	}
	return false, false
}

// WrapUp is what is written back to the CRM after a call.
type WrapUp struct {
	CustomerID string
	CallID     string
	Agent      string
	Code       string // wrap-up code chosen by the agent
	Notes      string // free-text call notes
	At         time.Time
}
