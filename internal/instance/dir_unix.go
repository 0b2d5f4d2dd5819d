//go:build unix

package instance

import (
	"fmt"
	"os"
	"syscall"
)

// ensurePrivateDir creates dir 0700 and checks that it is a real directory
// owned by the current user that nobody else can enter: another local user
// must not be able to plant a socket or read the endpoint.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("instance dir: %w", err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("instance dir: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%w: %s is not a directory", ErrUnsafeDir, dir)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%w: %s is owned by another user", ErrUnsafeDir, dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrUnsafeDir, dir, err)
		}
	}
	return nil
}
