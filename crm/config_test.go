package crm

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"softphone/config"
)

func TestConfigCRMSectionLoads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(path, []byte(`
[crm]
default_region = "AT"
backend = "rest"
timeout = "2s"
reveal_for = "45s"

[crm.mask]
email = "show"
card = "hide"
reveal = ["iban"]

[crm.rest]
lookup_url = "https://crm.example/api/contacts?phone={e164}"
customer_url = "https://crm.example/api/contacts/{id}"

[crm.rest.fields]
items = "data.items"
next = "links.next"
customer_id = "attributes.customer_number"
name = ["attributes.first_name", "attributes.last_name"]
phones = ["attributes.phones.*.number"]

[crm.rest.fields.custom]
Tier = "attributes.tier"
`), 0o600))
	cfg, err := config.Load(path)
	require.NoError(t, err)
	c := cfg.CRM
	assert.Equal(t, "AT", c.DefaultRegion)
	assert.Equal(t, 2*time.Second, c.Timeout)
	assert.Equal(t, 45*time.Second, c.RevealFor)
	assert.Equal(t, 5, c.REST.MaxPages, "defaults stay where the file says nothing")

	p, err := PolicyFromConfig(c.Mask)
	require.NoError(t, err)
	assert.Equal(t, RuleShow, p.For(KindEmail).Rule)
	assert.Equal(t, RuleHide, p.For(KindCard).Rule)
	assert.True(t, p.For(KindIBAN).Revealable)
	assert.False(t, p.For(KindEmail).Revealable, "the reveal list replaces the default list")

	rc := RESTConfigFromConfig(c, nil)
	assert.Equal(t, []string{"attributes.phones.*.number"}, rc.Fields.Phones)
	assert.Equal(t, map[string]string{"Tier": "attributes.tier"}, rc.Fields.Custom)
	r, err := NewREST(rc)
	require.NoError(t, err)
	r.Close()
}

func TestConfigCRMValidate(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*config.CRM)
		ok   bool
	}{
		{"defaults", func(*config.CRM) {}, true},
		{"unknown backend", func(c *config.CRM) { c.Backend = "ldap" }, false},
		{"rest without url", func(c *config.CRM) { c.Backend = "rest" }, false},
		{"rest url without e164", func(c *config.CRM) {
			c.Backend, c.REST.LookupURL, c.REST.Fields.CustomerID = "rest", "https://x/", "id"
		}, false},
		{"rest without id mapping", func(c *config.CRM) { c.Backend, c.REST.LookupURL = "rest", "https://x/?p={e164}" }, false},
		{"rest ok", func(c *config.CRM) {
			c.Backend, c.REST.LookupURL, c.REST.Fields.CustomerID = "rest", "https://x/?p={e164}", "id"
		}, true},
		{"bad rule", func(c *config.CRM) { c.Mask.IBAN = "partial" }, false},
		{"bad reveal kind", func(c *config.CRM) { c.Mask.Reveal = []string{"ssn"} }, false},
		{"negative timeout", func(c *config.CRM) { c.Timeout = -time.Second }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default().CRM
			tt.mod(&c)
			if tt.ok {
				assert.NoError(t, c.Validate())
			} else {
				assert.Error(t, c.Validate())
			}
		})
	}
}
