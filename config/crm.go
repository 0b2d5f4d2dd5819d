package config

import (
	"fmt"
	"strings"
	"time"
)

// CRM configures the contact directory, the masking policy of the CRM card
// and, for companies that run their own CRM, the REST adapter.
type CRM struct {
	// DefaultRegion is the ISO 3166 region used to read national numbers, e.g. "DE".
	DefaultRegion string `toml:"default_region"`
	// Backend is "sqlite" (the embedded store, default) or "rest".
	Backend string `toml:"backend"`
	// DB is the embedded store's file; empty means <user config dir>/softphone/crm.db.
	DB string `toml:"db"`
	// Timeout bounds one lookup; a slower CRM is shown as unavailable and the
	// call goes on. Default 1.5 s.
	Timeout time.Duration `toml:"timeout"`
	// RevealFor is how long a revealed field stays readable before it is
	// masked again (it is also masked at call end). Default 30 s.
	RevealFor time.Duration `toml:"reveal_for"`
	// Mask is the masking policy per field kind.
	Mask CRMMask `toml:"mask"`
	// REST configures the generic REST/JSON adapter (Backend "rest").
	REST CRMREST `toml:"rest"`
}

// Mask rule names used in CRMMask.
const (
	MaskShow = "show" // the field is shown in full
	MaskMask = "mask" // the field is shown partly (e.g. card: last 4 digits)
	MaskHide = "hide" // the field is not on the card at all
)

// CRMMask is the masking policy: one rule ("show", "mask" or "hide") per
// field kind, and the kinds that an agent with the permission may reveal.
type CRMMask struct {
	Card      string `toml:"card"`
	IBAN      string `toml:"iban"`
	Email     string `toml:"email"`
	BirthDate string `toml:"birth_date"`
	Address   string `toml:"address"`
	Phone     string `toml:"phone"`
	Custom    string `toml:"custom"`
	// Reveal lists the kinds that may be revealed (with permission, reason and
	// audit entry): any of card, iban, email, birth_date, address, phone, custom.
	Reveal []string `toml:"reveal"`
}

// CRMREST configures the REST/JSON adapter. URL templates contain {e164}
// (the normalised number) or {id} (the customer id). The bearer token is
// not here: it is the profile's vault entry "crm-token" (softphone secret
// set crm-token). Its name is not configurable: the vault holds exactly
// that entry, and a configurable name could point the bearer token sent to
// the CRM at another secret.
type CRMREST struct {
	// LookupURL finds contacts by number, e.g. "https://crm.example/api/contacts?phone={e164}".
	LookupURL string `toml:"lookup_url"`
	// CustomerURL fetches one contact, e.g. "https://crm.example/api/contacts/{id}".
	CustomerURL string `toml:"customer_url"`
	// WrapUpURL receives call notes and the wrap-up code (POST, JSON), e.g.
	// "https://crm.example/api/contacts/{id}/notes". Empty disables write-back.
	WrapUpURL string `toml:"wrapup_url"`
	// MaxPages bounds how many "next" links are followed. Default 5.
	MaxPages int `toml:"max_pages"`
	// Fields maps the CRM's JSON onto contact fields.
	Fields CRMFields `toml:"fields"`
}

// CRMFields is the JSON field mapping of the REST adapter. Every value is a
// dotted path ("data.items", "attributes.first_name", "phones.*.number",
// "items.0.id"); "*" walks every element of an array.
type CRMFields struct {
	// Items is the path of the list of contacts in a lookup response; empty
	// means the response is one contact.
	Items string `toml:"items"`
	// Next is the path of the next page's URL in a lookup response.
	Next string `toml:"next"`
	// The following paths are relative to one contact.
	CustomerID        string   `toml:"customer_id"`
	Name              []string `toml:"name"` // joined with a space, e.g. first and last name
	Phones            []string `toml:"phones"`
	Email             string   `toml:"email"`
	BirthDate         string   `toml:"birth_date"`
	IBAN              string   `toml:"iban"`
	Card              string   `toml:"card"`
	Address           string   `toml:"address"`
	City              string   `toml:"city"`
	Consent           string   `toml:"consent"`
	PaymentInProgress string   `toml:"payment_in_progress"`
	Notes             string   `toml:"notes"`
	// Custom maps a label shown on the card to a path; such fields are
	// masked by the "custom" rule.
	Custom map[string]string `toml:"custom"`
}

// defaultCRM is the PCI-DSS/GDPR default: everything sensitive masked, card
// numbers never revealable (PCI DSS req. 3.4: no full PAN on screen without a
// documented business need), the rest revealable with permission and reason.
func defaultCRM() CRM {
	return CRM{
		DefaultRegion: "DE",
		Backend:       "sqlite",
		Timeout:       1500 * time.Millisecond,
		RevealFor:     30 * time.Second,
		Mask: CRMMask{
			Card:      MaskMask,
			IBAN:      MaskMask,
			Email:     MaskMask,
			BirthDate: MaskMask,
			Address:   MaskMask,
			Phone:     MaskMask,
			Custom:    MaskMask,
			Reveal:    []string{"iban", "email", "birth_date", "address", "phone"},
		},
		REST: CRMREST{MaxPages: 5},
	}
}

// Validate reports the first CRM setting that cannot work.
func (c CRM) Validate() error {
	switch c.Backend {
	case "", "sqlite":
	case "rest":
		if c.REST.LookupURL == "" {
			return fmt.Errorf("crm.rest.lookup_url is required with crm.backend = \"rest\"")
		}
		if !strings.Contains(c.REST.LookupURL, "{e164}") {
			return fmt.Errorf("crm.rest.lookup_url must contain {e164}")
		}
		if c.REST.Fields.CustomerID == "" {
			return fmt.Errorf("crm.rest.fields.customer_id is required with crm.backend = \"rest\"")
		}
	default:
		return fmt.Errorf("crm.backend %q: want sqlite or rest", c.Backend)
	}
	if c.Timeout < 0 || c.RevealFor < 0 {
		return fmt.Errorf("crm.timeout and crm.reveal_for must not be negative")
	}
	rules := map[string]string{
		"card": c.Mask.Card, "iban": c.Mask.IBAN, "email": c.Mask.Email,
		"birth_date": c.Mask.BirthDate, "address": c.Mask.Address,
		"phone": c.Mask.Phone, "custom": c.Mask.Custom,
	}
	for kind, r := range rules {
		switch r {
		case "", MaskShow, MaskMask, MaskHide:
		default:
			return fmt.Errorf("crm.mask.%s %q: want show, mask or hide", kind, r)
		}
	}
	for _, k := range c.Mask.Reveal {
		if _, ok := rules[k]; !ok {
			return fmt.Errorf("crm.mask.reveal: unknown field kind %q", k)
		}
	}
	return nil
}
