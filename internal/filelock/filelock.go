// Package filelock takes exclusive, advisory locks on files across
// processes (flock on Unix, LockFileEx on Windows). The OS drops a lock
// when its holder dies, so a crash leaves no stale lock. Lock files are
// never removed: removing one races with its next user.
package filelock

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked means another holder has the lock (TryLock, OpenTry).
var ErrLocked = errors.New("locked by another process")

// Lock waits for the exclusive lock on f.
func Lock(f *os.File) error { return lock(f, true) }

// TryLock takes the exclusive lock on f without waiting; ErrLocked if
// another holder has it.
func TryLock(f *os.File) error { return lock(f, false) }

// Unlock releases the lock on f.
func Unlock(f *os.File) error { return unlock(f) }

// File is a lock file held open with its lock.
type File struct{ f *os.File }

// OpenTry opens (creating, mode 0600) the lock file at path and takes its
// lock without waiting: ErrLocked if another holder has it.
func OpenTry(path string) (*File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	if err := TryLock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, err
		}
		return nil, fmt.Errorf("lock file %s: %w", path, err)
	}
	return &File{f: f}, nil
}

// Close releases the lock and closes the file. It is idempotent and safe
// on a nil *File.
func (l *File) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := errors.Join(Unlock(l.f), l.f.Close())
	l.f = nil
	return err
}
