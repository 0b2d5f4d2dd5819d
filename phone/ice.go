package phone

import (
	"softphone/audio"
	"softphone/config"
)

// natConfig passes the policy's NAT traversal settings (STUN/TURN for ICE) to the media
// session. They come from machine policy or the signed bundle only (config.Network).
func natConfig(n config.Network) audio.NATConfig {
	return audio.NATConfig{
		ICE:          n.ICEEnabled(),
		STUNServers:  n.STUNServers,
		TURNServers:  n.TURNServers,
		TURNUsername: n.TURNUsername,
		TURNPassword: n.TURNPassword,
		RelayOnly:    n.RelayOnly,
	}
}
