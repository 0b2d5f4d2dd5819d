package sip_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind: every
// UA is closed in t.Cleanup, so its registration loop, dialog watchers and
// sipgo's transport readers must all be gone.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
