package urlhandler

import (
	"os"
	"testing"
)

// handlerOutEnv makes the test binary act as a registered link handler: it
// writes its last argument (the link the desktop passed) to that file.
const handlerOutEnv = "URLHANDLER_TEST_HANDLER_OUT"

func TestMain(m *testing.M) {
	if out := os.Getenv(handlerOutEnv); out != "" {
		if err := os.WriteFile(out, []byte(os.Args[len(os.Args)-1]), 0o600); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
