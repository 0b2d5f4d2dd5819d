//go:build windows

package instance

import (
	"fmt"
	"os"
)

// ensurePrivateDir creates dir. On Windows the default lives under
// %LocalAppData%, whose ACL already limits it to the user (and SYSTEM and
// administrators); the endpoint is also protected by a token.
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
	return nil
}
