//go:build !windows

package audit

import (
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on f, waiting for other processes
// (the desktop and a headless command may append to the same log).
func lockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

func unlockFile(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
