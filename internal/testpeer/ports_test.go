package testpeer

import "testing"

// The kernel may hand a port closed a moment ago to the next bind to port
// 0; FreePort, FreeUDPPort and FreePortPair never return one port twice in
// a test binary (Kamailio once got one port for its TLS and TCP listeners).
func TestFreePortsAreDistinct(t *testing.T) {
	seen := make(map[int]string)
	note := func(p int, how string) {
		t.Helper()
		if prev, dup := seen[p]; dup {
			t.Fatalf("port %d handed out twice (%s, then %s)", p, prev, how)
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
