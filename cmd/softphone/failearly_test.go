package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every config error exits 6 naming the key before any login is attempted
// (no TOTP code spent, no 30 s registration wait).
func TestConfigErrorsBeforeLogin(t *testing.T) {
	tests := []struct{ name, account, key string }{
		{"port out of range", "server = \"pbx.example:70000\"", "account.server"},
		{"url as server", "server = \"sips://pbx.example\"", "account.server"},
		{"negative expires", "server = \"pbx.example\"\nexpires = \"-5m\"", "account.expires"},
		{"ca file missing", "server = \"pbx.example\"\nca_file = \"/nonexistent/ca.pem\"", "account.ca_file"},
		{"ca file not PEM", "server = \"pbx.example\"\nca_file = %q", "account.ca_file"},
		{"bad duration", "server = \"pbx.example\"\nexpires = \"ten minutes\"", "expires"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newAuthCLI(t)
			junk := c.dir + "-junk.pem"
			require.NoError(t, os.WriteFile(junk, []byte("not a certificate"), 0o600))
			acc := tc.account
			if tc.name == "ca file not PEM" {
				acc = fmt.Sprintf(acc, junk)
			}
			f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			fmt.Fprintf(f, "\n[account]\n%s\n", acc)
			require.NoError(t, f.Close())
			code, evs, out := c.run(map[string]string{"SOFTPHONE_PROFILE": "agent1", "SOFTPHONE_PASSWORD": "x", "SOFTPHONE_TOTP": "123456"},
				"", "call", "sip:1000@pbx.example", "--audio", "null")
			require.Equal(t, exitConfig, code, out)
			require.Contains(t, out, tc.key)
			for _, e := range evs {
				require.NotEqual(t, "login_failed", e["event"], "a login was attempted")
			}
			_, err = os.Stat(c.dir)
			require.True(t, os.IsNotExist(err), "the profile store was not even opened")
		})
	}
}
