package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"softphone/internal/testpeer"
)

// TestNetcheckCommand: `softphone netcheck` measures the account's PBX over
// TLS (a real TLS server: coturn's TLS port with its CA) and prints the
// typed result; an unreachable PBX is a poor verdict with exit code 8.
func TestNetcheckCommand(t *testing.T) {
	turn := testpeer.StartCoturn(t, testpeer.CoturnOptions{})
	for _, tc := range []struct {
		name, server string
		code         int
		verdict      string
	}{
		{"reachable", turn.TLSAddr, exitOK, "good"},
		{"unreachable", fmt.Sprintf("127.0.0.1:%d", testpeer.FreePort(t)), exitNetwork, "poor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newAuthCLI(t)
			f, err := os.OpenFile(c.config, os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			fmt.Fprintf(f, "\n[account]\nserver = %q\nuser = \"1000\"\ndomain = \"turn.test\"\nca_file = %q\n", tc.server, turn.CAFile)
			require.NoError(t, f.Close())
			code, evs, out := c.run(nil, "", "netcheck")
			require.Equal(t, tc.code, code, out)
			nc := eventsNamed(evs, "netcheck")
			require.Len(t, nc, 1, out)
			require.Equal(t, tc.verdict, nc[0]["verdict"], out)
			require.Equal(t, tc.code == exitOK, nc[0]["pbx_ok"], out)
			require.NotEmpty(t, eventsNamed(evs, "netcheck_finding"), out)
		})
	}
}
