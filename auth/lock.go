package auth

import (
	"fmt"
	"os"
	"path/filepath"

	"softphone/internal/filelock"
)

// lockFileName is the store-wide lock file. Every read-modify-write of a
// profile holds it, so parallel processes (several headless logins at once)
// cannot lose failure counts or reuse a TOTP step.
const lockFileName = ".lock"

// lock takes the store's cross-process lock and returns its release. It
// blocks while another process holds it (at most one password check, well
// under a second).
func (s profileStore) lock() (func(), error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("profile directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(s.Dir, lockFileName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock profiles: %w", err)
	}
	if err := filelock.Lock(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock profiles: %w", err)
	}
	return func() {
		filelock.Unlock(f)
		f.Close()
	}, nil
}
