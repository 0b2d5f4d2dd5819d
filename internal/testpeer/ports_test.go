package testpeer

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"softphone/internal/testchild"
)

// The kernel may hand a port closed a moment ago to the next bind to port
// 0; FreePort, FreeUDPPort and FreePortPair never return one port twice in
// a test binary (Kamailio once got one port for its TLS and TCP listeners),
// and they stay clear of the ephemeral range that outgoing connections
// take ports from (baresip once found its port taken by one).
func TestFreePortsAreDistinct(t *testing.T) {
	seen := make(map[int]string)
	ephemeral := ephemeralStart()
	note := func(p int, how string) {
		t.Helper()
		if prev, dup := seen[p]; dup {
			t.Fatalf("port %d handed out twice (%s, then %s)", p, prev, how)
		}
		if ephemeral > 21000 && p >= ephemeral {
			t.Fatalf("%s returned %d, inside the ephemeral range from %d", how, p, ephemeral)
		}
		seen[p] = how
	}
	for range 300 {
		note(FreePort(t), "FreePort")
		note(FreeUDPPort(t), "FreeUDPPort")
	}
	for range 20 {
		p := FreePortPair(t)
		note(p, "FreePortPair")
		note(p+1, "FreePortPair+1")
	}
}

// go test runs the packages' test binaries side by side: a port one of
// them handed out is not handed out by another while the first runs.
func TestPortsClaimedAcrossTestBinaries(t *testing.T) {
	const name = "TestPortsClaimedAcrossTestBinaries"
	if testchild.Is(name) {
		for _, f := range strings.Fields(os.Getenv("TESTPEER_PARENT_PORTS")) {
			p, _ := strconv.Atoi(f)
			fmt.Printf("port %d claimed=%v\n", p, claim(p))
		}
		return
	}
	var ports []string
	for range 5 {
		ports = append(ports, strconv.Itoa(FreePort(t)))
	}
	p := FreePortPair(t)
	ports = append(ports, strconv.Itoa(p), strconv.Itoa(p+1))
	t.Setenv("TESTPEER_PARENT_PORTS", strings.Join(ports, " "))
	out := testchild.Run(t, name)
	for _, port := range ports {
		if want := "port " + port + " claimed=false"; !strings.Contains(out, want) {
			t.Errorf("the child process did not report %q:\n%s", want, out)
		}
	}
}
