package phone

import (
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/config"
)

func TestNetcheckConfig(t *testing.T) {
	var st config.Config
	st.Account.Server = "pbx.example"
	st.Network = config.Network{STUNServers: []string{"stun.example:3478"}, TURNServers: []string{"turns:turn.example:443"},
		TURNUsername: "u", TURNPassword: "p"}
	c, err := NetcheckConfig(st, nil)
	require.NoError(t, err)
	require.Equal(t, "pbx.example:5061", c.PBX)
	require.Equal(t, []string{"stun.example:3478"}, c.STUNServers)
	require.Equal(t, []string{"turns:turn.example:443"}, c.TURNServers)
	require.Equal(t, "u", c.TURNUsername)
	require.Equal(t, "p", c.TURNPassword)

	st.Account.CAFile = "/nonexistent/ca.pem"
	_, err = NetcheckConfig(st, nil)
	require.Error(t, err)
}
