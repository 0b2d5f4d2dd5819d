package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// MachineKeyFile returns the 32-byte machine key name from a key file
// (dir/machine-keys/NAME, mode 0600, created on first use). It stands in for
// the OS keyring where there is none: the key is readable only by the OS
// user, so it stops other users and copied files, but not a person who can
// run code as that OS user (README, security model).
func MachineKeyFile(dir, name string) ([]byte, error) {
	if name != MachineRecordingKey && name != MachineAuditKey && name != MachineCRMKey && name != MachineProfileKey {
		return nil, fmt.Errorf("unknown machine secret %q", name)
	}
	kd := filepath.Join(dir, "machine-keys")
	if err := os.MkdirAll(kd, 0o700); err != nil {
		return nil, fmt.Errorf("machine key directory: %w", err)
	}
	path := filepath.Join(kd, name)
	if fi, err := os.Stat(path); err == nil {
		if fi.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("machine key %s: readable by other users (mode %o): refused", path, fi.Mode().Perm())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("machine key: %w", err)
		}
		return decodeKey(string(b))
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("machine key: %w", err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	if err := writeFileAtomic(kd, path, []byte(base64.StdEncoding.EncodeToString(k))); err != nil {
		return nil, fmt.Errorf("machine key: %w", err)
	}
	return k, nil
}
