package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/config"
)

func TestNetworkKeysFromPolicy(t *testing.T) {
	d := Doc{Where: "machine", Values: map[string]string{
		"network.stun_servers":  "stun.example.com:3478",
		"network.turn_servers":  "turn:turn.example.com:3478?transport=udp,turns:turn.example.com:443",
		"network.turn_username": "desk",
		"network.turn_password": "hunter2-turn",
	}}
	eff, err := Merge(config.Default(), SourcedDoc{Doc: d, Source: SourceMachine})
	require.NoError(t, err)
	n := eff.Config.Network
	require.Equal(t, []string{"stun.example.com:3478"}, n.STUNServers)
	require.Len(t, n.TURNServers, 2)
	require.Equal(t, "hunter2-turn", n.TURNPassword)
	require.True(t, n.ICEEnabled(), "ICE is on by default once servers are set")
	require.NotContains(t, eff.String(), "hunter2", "policy show must not print the TURN password")
	v, ok := eff.Get(KeyTURNPassword)
	require.True(t, ok)
	require.Equal(t, "(set)", v.Value)
	require.True(t, v.Locked())
}

func TestNetworkKeysRejectBadValues(t *testing.T) {
	for _, vals := range []map[string]string{
		{"network.ice": "maybe"},
		{"network.stun_servers": "no-port"},
		{"network.turn_servers": "http://turn.example.com"},
		{"network.turn_servers": "turn:turn.example.com:3478"}, // no credential
		{"network.relay_only": "true"},                         // no TURN server
	} {
		_, err := Merge(config.Default(), SourcedDoc{Doc: Doc{Where: "machine", Values: vals}, Source: SourceMachine})
		require.Error(t, err, "%v", vals)
	}
}

// The user's own config file cannot name STUN/TURN servers: media must not be pointed at a
// relay of the agent's choosing.
func TestUserConfigCannotSetNetwork(t *testing.T) {
	p := filepath.Join(t.TempDir(), "config.toml")
	require.NoError(t, os.WriteFile(p, []byte("[network]\nturn_servers = [\"turn:evil.example:3478\"]\n"), 0o600))
	_, err := config.Load(p)
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "network"), err.Error())
	eff, err := Merge(config.Default())
	require.NoError(t, err)
	require.False(t, eff.Config.Network.ICEEnabled())
}

// The README's example machine policy parses and applies.
func TestNetworkPolicyTOML(t *testing.T) {
	d, err := ParseTOML([]byte(`[network]
stun_servers  = ["stun.example.com:3478"]
turn_servers  = ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:443?transport=tcp"]
turn_username = "softphone"
turn_password = "pw"
relay_only = true
`), "machine")
	require.NoError(t, err)
	eff, err := Merge(config.Default(), SourcedDoc{Doc: d, Source: SourceMachine})
	require.NoError(t, err)
	n := eff.Config.Network
	require.Equal(t, []string{"turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:443?transport=tcp"}, n.TURNServers)
	require.True(t, n.RelayOnly)
	require.True(t, n.ICEEnabled())
}
