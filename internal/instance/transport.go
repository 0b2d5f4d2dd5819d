package instance

import (
	"context"
	"net"
)

// transport is the local endpoint between primary and secondary.
type transport interface {
	// listen opens the endpoint for name in dir. The caller holds the lock,
	// so anything left there by a dead primary may be replaced. token is what
	// clients must present ("" when the endpoint itself is private).
	listen(dir, name string) (ln net.Listener, token string, cleanup func() error, err error)
	// dial connects to the endpoint and returns the token to present.
	dial(ctx context.Context, dir, name string) (c net.Conn, token string, err error)
}
