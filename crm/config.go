package crm

import (
	"fmt"
	"os"
	"path/filepath"

	"softphone/config"
)

// PolicyFromConfig builds the masking policy from the [crm.mask] section.
// Empty rules mean "mask"; kinds not listed in reveal cannot be revealed.
func PolicyFromConfig(m config.CRMMask) (Policy, error) {
	var p Policy
	rules := [numKinds]string{
		KindCard: m.Card, KindIBAN: m.IBAN, KindEmail: m.Email, KindBirthDate: m.BirthDate,
		KindAddress: m.Address, KindPhone: m.Phone, KindCustom: m.Custom,
	}
	for k, s := range rules {
		r, err := ParseRule(s)
		if err != nil {
			return Policy{}, fmt.Errorf("crm.mask.%s: %w", Kind(k), err)
		}
		p.Rules[k].Rule = r
	}
	for _, s := range m.Reveal {
		k, err := ParseKind(s)
		if err != nil {
			return Policy{}, fmt.Errorf("crm.mask.reveal: %w", err)
		}
		p.Rules[k].Revealable = true
	}
	return p, nil
}

// RESTConfigFromConfig builds the REST adapter's configuration from the
// [crm] section; token reads the bearer token from the vault.
func RESTConfigFromConfig(c config.CRM, token TokenFunc) RESTConfig {
	return RESTConfig{
		LookupURL:   c.REST.LookupURL,
		CustomerURL: c.REST.CustomerURL,
		WrapUpURL:   c.REST.WrapUpURL,
		Token:       token,
		Timeout:     c.Timeout,
		MaxPages:    c.REST.MaxPages,
		Fields:      FieldMap(c.REST.Fields),
		Region:      c.DefaultRegion,
	}
}

// DefaultDBPath is the embedded store's file in the user's config
// directory: <UserConfigDir>/softphone/crm.db.
func DefaultDBPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find config directory: %w", err)
	}
	return filepath.Join(dir, "softphone", "crm.db"), nil
}
