//go:build linux

package auth

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"softphone/internal/procstat"
	"softphone/internal/testchild"
)

// TestLoginDerivationsPeakAtOneCost runs a login's argon2id derivations at
// the default cost (the password check, the file vault's key) in a fresh
// child process and reads its memory from /proc: the peak stays near one
// derivation's working memory, and the pages are back with the OS when the
// login is done. Without the release in argon2id the child peaked at about
// twice the cost and kept it.
func TestLoginDerivationsPeakAtOneCost(t *testing.T) {
	if testchild.Is("TestLoginDerivationsPeakAtOneCost") {
		p := DefaultHashParams
		dummyHash(p).verify("the agent's password")
		deriveVaultKey("the agent's password", make([]byte, 16), p)
		s, err := procstat.Read(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("kdf-child hwm=%d rss=%d\n", s.HWM, s.RSS)
		return
	}
	out := testchild.Run(t, "TestLoginDerivationsPeakAtOneCost", "GOGC", "GOMEMLIMIT")
	var hwm, rss int
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "kdf-child ") {
			if _, err := fmt.Sscanf(l, "kdf-child hwm=%d rss=%d", &hwm, &rss); err != nil {
				t.Fatalf("parse %q: %v", l, err)
			}
		}
	}
	if hwm == 0 {
		t.Fatalf("child printed no figures:\n%s", out)
	}
	cost := int(DefaultHashParams.MemoryKiB)
	t.Logf("two derivations at %d MiB: peak %d MiB, resident after %d MiB", cost/1024, hwm/1024, rss/1024)
	if hwm > cost*3/2 {
		t.Errorf("peak RSS %d KiB over 1.5 × one derivation's %d KiB: argon2id's memory is not released between derivations", hwm, cost)
	}
	if rss > cost/3 {
		t.Errorf("RSS after the login %d KiB: argon2id's %d KiB are still held", rss, cost)
	}
}
