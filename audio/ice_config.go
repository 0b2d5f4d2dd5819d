package audio

import (
	"fmt"
	"strings"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/stun/v4"
)

// NATConfig is how the session crosses NATs: ICE (RFC 8445) with host, server-reflexive (STUN)
// and relayed (TURN) candidates. The zero value turns ICE off: the session offers and answers
// plain RTP on its own sockets exactly as without this feature.
//
// The servers and the TURN credential must come from a trusted source (machine policy or the
// signed policy bundle): a TURN server sees every media packet's addresses and timing, so a user
// who could point it elsewhere could route calls through a host of their choosing.
type NATConfig struct {
	// ICE turns ICE on: offers carry candidates, and offers with candidates are answered with
	// ICE. A peer without ICE still gets plain RTP.
	ICE bool
	// STUNServers are host:port of STUN servers (RFC 8489) for server-reflexive candidates.
	STUNServers []string
	// TURNServers are RFC 7065 URIs: turn:host:port?transport=udp|tcp, turns:host:443.
	TURNServers []string
	// TURNUsername and TURNPassword are the long-term credential (RFC 8489 section 9.2).
	TURNUsername, TURNPassword string
	// RelayOnly offers only relayed candidates (like WebRTC's iceTransportPolicy "relay"): the
	// far end never learns the agent's own or public address.
	RelayOnly bool
	// GatherTimeout bounds host and server-reflexive gathering before an offer or answer;
	// 0 = 1 s. TURN allocations run in parallel; when TURN is configured and no relay
	// candidate has arrived by then, the session waits up to RelayTimeout (0 = 3 s) for one.
	GatherTimeout, RelayTimeout time.Duration
}

func (c *NATConfig) gatherTimeout() time.Duration {
	if c.GatherTimeout <= 0 {
		return time.Second
	}
	return c.GatherTimeout
}

func (c *NATConfig) relayTimeout() time.Duration {
	if c.RelayTimeout <= 0 {
		return 3 * time.Second
	}
	return c.RelayTimeout
}

// urls turns the configured servers into STUN/TURN URIs. It checks them so a typo is an error
// when the session is made, not a silent lack of candidates at call time.
func (c *NATConfig) urls() ([]*stun.URI, error) {
	var out []*stun.URI
	for _, s := range c.STUNServers {
		u, err := stun.ParseURI("stun:" + strings.TrimPrefix(s, "stun:"))
		if err != nil {
			return nil, fmt.Errorf("%w: STUN server %q: %w", ErrBadConfig, s, err)
		}
		out = append(out, u)
	}
	for _, s := range c.TURNServers {
		u, err := stun.ParseURI(s)
		if err != nil || (u.Scheme != stun.SchemeTypeTURN && u.Scheme != stun.SchemeTypeTURNS) {
			return nil, fmt.Errorf("%w: TURN server %q is not a turn: or turns: URI (RFC 7065)", ErrBadConfig, s)
		}
		if c.TURNUsername == "" || c.TURNPassword == "" {
			return nil, fmt.Errorf("%w: TURN server %q needs a username and password", ErrBadConfig, s)
		}
		u.Username, u.Password = c.TURNUsername, c.TURNPassword
		out = append(out, u)
	}
	return out, nil
}

func (c *NATConfig) relayAcceptWait() time.Duration {
	if c.RelayOnly {
		return 0
	}
	return time.Second
}

// check reports a configuration that cannot work.
func (c *NATConfig) check() error {
	if _, err := c.urls(); err != nil {
		return err
	}
	if c.RelayOnly && !c.hasTURN() {
		return fmt.Errorf("%w: relay-only ICE needs a TURN server", ErrBadConfig)
	}
	return nil
}

func (c *NATConfig) hasTURN() bool { return len(c.TURNServers) > 0 }

func (c *NATConfig) candidateTypes() []ice.CandidateType {
	if c.RelayOnly {
		return []ice.CandidateType{ice.CandidateTypeRelay}
	}
	return []ice.CandidateType{ice.CandidateTypeHost, ice.CandidateTypeServerReflexive, ice.CandidateTypeRelay}
}

// ICEPath describes the candidate pair ICE selected for the call's media.
type ICEPath struct {
	// LocalType and RemoteType are "host", "srflx", "prflx" or "relay"; both "" when the call
	// does not use ICE.
	LocalType, RemoteType string
	// Local and Remote are the pair's transport addresses (for a relay: the relayed address;
	// for srflx: the NAT's public address the far end sees).
	Local, Remote string
	// Base is the local socket address behind a srflx Local ("" otherwise).
	Base string
	// RelayProtocol is how a local relay candidate reaches its TURN server: "udp", "tcp",
	// "tls"; "" otherwise.
	RelayProtocol string
}

// String renders the pair as "srflx 198.19.0.1:4000 (base 198.18.0.2:4000) -> host 198.19.0.7:5000".
func (p ICEPath) String() string {
	if p.LocalType == "" {
		return ""
	}
	l := p.LocalType
	if p.RelayProtocol != "" {
		l += "/" + p.RelayProtocol
	}
	l += " " + p.Local
	if p.Base != "" {
		l += " (base " + p.Base + ")"
	}
	return fmt.Sprintf("%s -> %s %s", l, p.RemoteType, p.Remote)
}
