// Package safefile holds what atomic file replacement needs across
// operating systems.
package safefile

import (
	"errors"
	"os"
	"runtime"
	"time"
)

// retryFor bounds how long Rename keeps trying on Windows.
const retryFor = 2 * time.Second

// Rename replaces newpath with oldpath atomically. On Windows a rename
// over a file that another handle (a reader in this or another process)
// has open fails with "Access is denied" or a sharing violation until that
// handle closes; Rename retries for up to two seconds there, so an update
// (a failed-login counter, say) is not lost to a concurrent read.
func Rename(oldpath, newpath string) error {
	err := os.Rename(oldpath, newpath)
	if err == nil || runtime.GOOS != "windows" {
		return err
	}
	deadline := time.Now().Add(retryFor)
	for err != nil && time.Now().Before(deadline) && retryable(err) {
		time.Sleep(10 * time.Millisecond)
		err = os.Rename(oldpath, newpath)
	}
	return err
}

func retryable(err error) bool {
	var le *os.LinkError
	if !errors.As(err, &le) {
		return false
	}
	return errors.Is(err, os.ErrPermission) || isSharingViolation(le.Err)
}
