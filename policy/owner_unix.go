//go:build !windows

package policy

import (
	"fmt"
	"os"
	"syscall"
)

// checkOwner refuses a path that group or others may write, and with
// root, one not owned by root.
func checkOwner(path string, root bool) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%s is writable by group or others (mode %o)", path, fi.Mode().Perm())
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && root && st.Uid != 0 {
		return fmt.Errorf("%s is not owned by root (uid %d)", path, st.Uid)
	}
	return nil
}
