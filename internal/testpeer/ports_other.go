//go:build !unix

package testpeer

// Kamailio and baresip only run on Linux: elsewhere a port is claimed in
// this test binary alone, and ports come from binds to port 0.
func lockPort(int) (unlock func(), ok bool) { return func() {}, true }

func ephemeralStart() int { return 0 }
