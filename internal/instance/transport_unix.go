//go:build unix

package instance

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
)

// defaultTransport is a Unix socket on Linux, macOS and the BSDs.
var defaultTransport transport = unixTransport{}

// unixTransport is a Unix socket in the private instance directory: the
// directory's 0700 mode keeps other users out, so no token is needed.
type unixTransport struct{}

func (unixTransport) path(dir, name string) string { return filepath.Join(dir, name+".sock") }

func (u unixTransport) listen(dir, name string) (net.Listener, string, func() error, error) {
	path := u.path(dir, name)
	// We hold the lock: a socket file here is left over from a dead primary.
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil, fmt.Errorf("remove stale socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, "", nil, fmt.Errorf("listen: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, "", nil, fmt.Errorf("listen: %w", err)
	}
	// net.UnixListener unlinks the socket file on Close.
	return ln, "", func() error { return nil }, nil
}

func (u unixTransport) dial(ctx context.Context, dir, name string) (net.Conn, string, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", u.path(dir, name))
	if err != nil {
		return nil, "", err
	}
	return c, "", nil
}
