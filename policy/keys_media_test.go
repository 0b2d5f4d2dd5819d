package policy

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/config"
)

// media.key_exchange: the machine policy binds, the user may only narrow.
func TestKeyExchangePolicy(t *testing.T) {
	tests := []struct {
		name, machine, user, want string
	}{
		{"default is both", "", "", "both"},
		{"user narrows both to dtls", "", "dtls", "dtls"},
		{"user narrows both to sdes", "", "sdes", "sdes"},
		{"machine dtls binds a user's both", "dtls", "both", "dtls"},
		{"machine dtls refuses a user's sdes", "dtls", "sdes", "dtls"},
		{"machine sdes refuses a user's dtls", "sdes", "dtls", "sdes"},
		{"machine both lets the user narrow", "both", "dtls", "dtls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "[account]\ntransport = \"tls\"\n"
			if tt.machine != "" {
				body += "[media]\nkey_exchange = \"" + tt.machine + "\"\n"
			}
			path := writePolicy(t, body, 0o644)
			user := config.Default()
			if tt.user != "" {
				user.Media.KeyExchange = tt.user
			}
			eff, err := Load(context.Background(), user, Options{Machine: FileStore{Path: path}})
			require.NoError(t, err)
			require.Equal(t, tt.want, eff.Config.Media.KeyExchange)
			if tt.machine != "" {
				v, _ := eff.Get("media.key_exchange")
				require.True(t, v.Locked())
			}
		})
	}
	t.Run("bad value", func(t *testing.T) {
		path := writePolicy(t, "[media]\nkey_exchange = \"zrtp\"\n", 0o644)
		_, err := Load(context.Background(), config.Default(), Options{Machine: FileStore{Path: path}})
		require.ErrorContains(t, err, "want sdes, dtls or both")
	})
}
