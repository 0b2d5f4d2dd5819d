package config

import (
	"fmt"
	"net"
	"strings"
)

// Network is how call media crosses NATs: ICE with STUN and TURN servers (RFC 8445, 8489,
// 8656). It is set only by policy (machine policy or the signed bundle), never by the user's
// config file (toml:"-"): a TURN server relays every media packet of a call, so an agent who could
// name one could route customer calls through a host of their choosing, and the TURN
// credential is the organisation's secret, not the agent's.
type Network struct {
	// ICE is "on", "off" or "" (on when a STUN or TURN server is set).
	ICE string `toml:"-"`
	// STUNServers are host:port of STUN servers.
	STUNServers []string `toml:"-"`
	// TURNServers are RFC 7065 URIs: turn:host:port?transport=udp|tcp or turns:host:443.
	TURNServers []string `toml:"-"`
	// TURNUsername and TURNPassword are the TURN long-term credential.
	TURNUsername string `toml:"-"`
	TURNPassword string `toml:"-"`
	// RelayOnly offers only TURN-relayed candidates: the far end never learns the agent's
	// home or office address.
	RelayOnly bool `toml:"-"`
}

// ICEEnabled reports whether calls use ICE.
func (n Network) ICEEnabled() bool {
	switch n.ICE {
	case "on":
		return true
	case "off":
		return false
	}
	return len(n.STUNServers) > 0 || len(n.TURNServers) > 0
}

// Validate checks the server lists' form (the media layer parses them fully).
func (n Network) Validate() error {
	switch n.ICE {
	case "", "on", "off":
	default:
		return fmt.Errorf("network.ice %q: want on or off", n.ICE)
	}
	for _, s := range n.STUNServers {
		if _, _, err := net.SplitHostPort(strings.TrimPrefix(s, "stun:")); err != nil {
			return fmt.Errorf("network.stun_servers %q: want host:port", s)
		}
	}
	for _, s := range n.TURNServers {
		if !strings.HasPrefix(s, "turn:") && !strings.HasPrefix(s, "turns:") {
			return fmt.Errorf("network.turn_servers %q: want turn:host:port?transport=udp|tcp or turns:host:port", s)
		}
	}
	if len(n.TURNServers) > 0 && (n.TURNUsername == "" || n.TURNPassword == "") {
		return fmt.Errorf("network.turn_servers needs network.turn_username and network.turn_password")
	}
	if n.RelayOnly && len(n.TURNServers) == 0 {
		return fmt.Errorf("network.relay_only needs network.turn_servers")
	}
	return nil
}
