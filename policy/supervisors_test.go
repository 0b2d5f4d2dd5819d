package policy

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/config"
)

// Supervisor keys come from the mandatory documents only: an agent who adds
// their own key to [supervisors] must not be able to sign "recording off".
func TestSupervisorKeysOnlyFromPolicy(t *testing.T) {
	pubB64 := func() string {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		return base64.StdEncoding.EncodeToString(pub)
	}
	sam, mallory := pubB64(), pubB64()
	user := config.Default()
	mk := config.SupervisorKey{Name: "Mallory", PublicKey: mallory}
	mid, err := mk.ID()
	require.NoError(t, err)
	user.Supervisors.Keys = map[string]config.SupervisorKey{mid: mk}

	t.Run("no policy: no supervisor is trusted", func(t *testing.T) {
		eff, err := Merge(user)
		require.NoError(t, err)
		require.Empty(t, eff.Config.Supervisors.Keys)
		v, ok := eff.Get(KeySupervisors)
		require.True(t, ok)
		require.Contains(t, v.Ignored, "1 key(s)")
	})
	t.Run("machine policy names the supervisors", func(t *testing.T) {
		doc, err := ParseTOML([]byte(`[supervisors]
keys = ["Sam Supervisor=`+sam+`"]
`), "/etc/softphone/policy.toml")
		require.NoError(t, err)
		eff, err := Merge(user, SourcedDoc{Doc: doc, Source: SourceMachine})
		require.NoError(t, err)
		require.Len(t, eff.Config.Supervisors.Keys, 1)
		for id, k := range eff.Config.Supervisors.Keys {
			require.Equal(t, "Sam Supervisor", k.Name)
			require.NotEqual(t, mid, id, "the user's key was kept")
		}
		v, _ := eff.Get(KeySupervisors)
		require.Equal(t, SourceMachine, v.Source)
	})
	t.Run("a malformed key is an error, not an open desk", func(t *testing.T) {
		doc, err := ParseTOML([]byte(`[supervisors]
keys = ["Sam=not-a-key"]
`), "/etc/softphone/policy.toml")
		require.NoError(t, err)
		_, err = Merge(user, SourcedDoc{Doc: doc, Source: SourceMachine})
		require.ErrorContains(t, err, "supervisors.keys")
	})
}
