package config

// CRM configures the contact directory (owned by the CRM work; extend here).
type CRM struct {
	// DefaultRegion is the ISO 3166 region used to read national numbers, e.g. "DE".
	DefaultRegion string `toml:"default_region"`
}

func defaultCRM() CRM { return CRM{DefaultRegion: "DE"} }
