package policy

import (
	"fmt"
	"strconv"

	"softphone/config"
)

// KeyTURNPassword is the TURN credential's secret: applied to the config but never shown by
// `policy show`.
const KeyTURNPassword = "network.turn_password"

// networkSettings are the NAT traversal keys (issue 15). They are locked (no tight order): the
// user's config cannot set them at all (config.Network is not read from the file), so media
// cannot be pointed at a TURN server of the agent's choosing.
func networkSettings() []setting {
	return []setting{
		{key: "network.ice",
			get: func(c *config.Config) string { return c.Network.ICE },
			set: func(c *config.Config, v string) error {
				if v != "on" && v != "off" && v != "" {
					return fmt.Errorf("%q: want on or off", v)
				}
				c.Network.ICE = v
				return nil
			}},
		{key: "network.stun_servers",
			get: func(c *config.Config) string { return joinList(c.Network.STUNServers) },
			set: func(c *config.Config, v string) error {
				n := c.Network
				n.STUNServers = splitList(v)
				n.TURNServers, n.TURNUsername, n.TURNPassword, n.RelayOnly = nil, "", "", false
				if err := n.Validate(); err != nil {
					return err
				}
				c.Network.STUNServers = n.STUNServers
				return nil
			}},
		{key: "network.turn_servers",
			get: func(c *config.Config) string { return joinList(c.Network.TURNServers) },
			set: func(c *config.Config, v string) error {
				n := config.Network{TURNServers: splitList(v), TURNUsername: "u", TURNPassword: "p"}
				if err := n.Validate(); err != nil {
					return err
				}
				c.Network.TURNServers = n.TURNServers
				return nil
			}},
		{key: "network.turn_username",
			get: func(c *config.Config) string { return c.Network.TURNUsername },
			set: func(c *config.Config, v string) error { c.Network.TURNUsername = v; return nil }},
		{key: KeyTURNPassword,
			get: func(c *config.Config) string { return c.Network.TURNPassword },
			set: func(c *config.Config, v string) error { c.Network.TURNPassword = v; return nil }},
		{key: "network.relay_only",
			get: func(c *config.Config) string { return strconv.FormatBool(c.Network.RelayOnly) },
			set: func(c *config.Config, v string) (err error) { c.Network.RelayOnly, err = checkBool(v); return }},
	}
}

// hideSecrets keeps the TURN password out of the listed values (policy show, the settings UI).
func hideSecrets(e *Effective) {
	for i, v := range e.Values {
		if v.Key == KeyTURNPassword && v.Value != "" {
			e.Values[i].Value = "(set)"
		}
	}
}
