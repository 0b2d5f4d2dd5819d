package policy

import (
	"fmt"
	"slices"
	"strconv"

	"softphone/config"
)

// Keys that are not config settings.
const (
	KeyRolesGrant  = "roles.grant"       // "role:permission", machine or bundle only
	KeyRolesRevoke = "roles.revoke"      // "role:permission"
	KeyBundleURL   = "bundle.url"        // https URL of the signed bundle (machine only)
	KeyBundleKey   = "bundle.public_key" // base64 Ed25519 public key (machine only)
	// KeySupervisors lists the supervisors whose signed commands (recording
	// on/off for a live call) a desk accepts: "Name=base64 Ed25519 public
	// key", machine or bundle only. The user's [supervisors] is never
	// trusted: an agent could add a key of their own and switch recording off.
	KeySupervisors = "supervisors.keys"
)

func str(get func(*config.Config) *string) (func(*config.Config) string, func(*config.Config, string) error) {
	return func(c *config.Config) string { return *get(c) },
		func(c *config.Config, v string) error { *get(c) = v; return nil }
}

func mask(get func(*config.Config) *string) setting {
	g, _ := str(get)
	return setting{tight: maskOrder, get: g, set: func(c *config.Config, v string) error {
		switch v {
		case config.MaskShow, config.MaskMask, config.MaskHide:
			*get(c) = v
			return nil
		}
		return fmt.Errorf("%q: want show, mask or hide", v)
	}}
}

// settings is every config key the policy governs.
func settings() []setting {
	list := []setting{
		{key: "media.allow_plain_rtp", tight: boolFalseTighter,
			get: func(c *config.Config) string { return strconv.FormatBool(c.Media.AllowPlainRTP) },
			set: func(c *config.Config, v string) (err error) { c.Media.AllowPlainRTP, err = checkBool(v); return }},
		{key: "media.suites", tight: subsetTighter, // SRTP suites: the user may drop some, not add
			get: func(c *config.Config) string { return joinList(c.Media.Suites) },
			set: func(c *config.Config, v string) error { c.Media.Suites = splitList(v); return nil }},
		{key: "account.transport", tight: transportOrder,
			get: func(c *config.Config) string { return c.Account.Transport },
			set: func(c *config.Config, v string) error {
				if v != "tls" && v != "tcp" && v != "udp" {
					return fmt.Errorf("%q: want tls, tcp or udp", v)
				}
				c.Account.Transport = v
				return nil
			}},
		{key: "crm.mask.reveal", tight: subsetTighter,
			get: func(c *config.Config) string { return joinList(sorted(c.CRM.Mask.Reveal)) },
			set: func(c *config.Config, v string) error { c.CRM.Mask.Reveal = splitList(v); return nil }},
		{key: "crm.reveal_for", tight: durOrder(false),
			get: func(c *config.Config) string { return c.CRM.RevealFor.String() },
			set: func(c *config.Config, v string) (err error) { c.CRM.RevealFor, err = checkDur(v); return }},
		{key: "recording.policy",
			get: func(c *config.Config) string { return c.Recording.Policy },
			set: func(c *config.Config, v string) error {
				if v != "off" && v != "on" && v != "ask" {
					return fmt.Errorf("%q: want off, on or ask", v)
				}
				c.Recording.Policy = v
				return nil
			}},
		{key: "recording.recipients",
			get: func(c *config.Config) string { return joinList(c.Recording.Recipients) },
			set: func(c *config.Config, v string) error { c.Recording.Recipients = splitList(v); return nil }},
		{key: "recording.retention_days",
			get: func(c *config.Config) string { return strconv.Itoa(c.Recording.RetentionDays) },
			set: func(c *config.Config, v string) (err error) {
				c.Recording.RetentionDays, err = strconv.Atoi(v)
				if err != nil || c.Recording.RetentionDays < 1 {
					return fmt.Errorf("%q: want a number of days ≥ 1", v)
				}
				return nil
			}},
		{key: "auth.idle_lock", tight: durOrder(true),
			get: func(c *config.Config) string { return c.Auth.IdleLock.String() },
			set: func(c *config.Config, v string) (err error) { c.Auth.IdleLock, err = checkDur(v); return }},
		{key: "auth.max_failures", tight: fewerTighter,
			get: func(c *config.Config) string { return strconv.Itoa(c.Auth.MaxFailures) },
			set: func(c *config.Config, v string) (err error) {
				c.Auth.MaxFailures, err = strconv.Atoi(v)
				if err != nil || c.Auth.MaxFailures < 1 || c.Auth.MaxFailures > 10 {
					return fmt.Errorf("%q: want 1..10", v)
				}
				return nil
			}},
		{key: "auth.lockout", tight: longerTighter,
			get: func(c *config.Config) string { return c.Auth.Lockout.String() },
			set: func(c *config.Config, v string) (err error) { c.Auth.Lockout, err = checkDur(v); return }},
	}
	masks := map[string]func(*config.Config) *string{
		"card":       func(c *config.Config) *string { return &c.CRM.Mask.Card },
		"iban":       func(c *config.Config) *string { return &c.CRM.Mask.IBAN },
		"email":      func(c *config.Config) *string { return &c.CRM.Mask.Email },
		"birth_date": func(c *config.Config) *string { return &c.CRM.Mask.BirthDate },
		"address":    func(c *config.Config) *string { return &c.CRM.Mask.Address },
		"phone":      func(c *config.Config) *string { return &c.CRM.Mask.Phone },
		"custom":     func(c *config.Config) *string { return &c.CRM.Mask.Custom },
	}
	for _, k := range []string{"card", "iban", "email", "birth_date", "address", "phone", "custom"} {
		s := mask(masks[k])
		s.key = "crm.mask." + k
		list = append(list, s)
	}
	list = append(list, networkSettings()...)
	return append(list, workdaySettings()...)
}

func sorted(l []string) []string {
	c := slices.Clone(l)
	slices.Sort(c)
	return slices.Compact(c)
}

// Keys lists every key a policy document may set.
func Keys() []string {
	var out []string
	for _, s := range settings() {
		out = append(out, s.key)
	}
	return append(out, KeyRolesGrant, KeyRolesRevoke, KeyBundleURL, KeyBundleKey, KeySupervisors)
}
