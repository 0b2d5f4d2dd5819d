//go:build linux

package benchcmp

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"softphone/internal/testpeer"
)

// floorUser is the Kamailio account of the Go floor client.
const floorUser = "4000"

// buildFloor builds testdata/floor (a sipgo client that only REGISTERs
// over TLS and idles) and returns an installed copy of it, measured like
// the softphone's.
func buildFloor(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "floor")
	buildInstalled(b, bin, "./testdata/floor")
	return bin
}

// measureFloor runs the Go floor client until it is registered and reads
// its memory after the same settle time as the two phones'. What the
// softphone holds above this figure is its own; this much any Go client on
// the same SIP stack holds.
func measureFloor(b *testing.B, bin string, k *testpeer.Kamailio) memKB {
	b.Helper()
	c := startChild(b, "go floor", exec.Command(bin, k.Addr, k.Domain, floorUser, "sip-pw-4000", k.CAFile))
	defer c.stop()
	c.waitLine(b, 0, "registered", 20*time.Second, func(l line) bool { return strings.TrimSpace(l.Text) == "registered" })
	time.Sleep(idleSettle)
	m, err := memory(c.Pid())
	if err != nil {
		b.Fatal(err)
	}
	return m
}
