package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// MachineKeyFile returns the 32-byte machine key name from a key file
// (dir/machine-keys/NAME, mode 0600, created on first use). It stands in for
// the OS keyring where there is none: the key is readable only by the OS
// user, so it stops other users and copied files, but not a person who can
// run code as that OS user (README, security model).
func MachineKeyFile(dir, name string) ([]byte, error) {
	switch name {
	case MachineRecordingKey, MachineAuditKey, MachineCRMKey, MachineProfileKey, MachinePolicyKey, MachineReceiptKey:
	default:
		return nil, fmt.Errorf("unknown machine secret %q", name)
	}
	kd := machineKeyDir(dir)
	if err := os.MkdirAll(kd, 0o700); err != nil {
		return nil, fmt.Errorf("machine key directory: %w", err)
	}
	path := filepath.Join(kd, name)
	for range 3 {
		k, err := readKeyFile(path)
		if !errors.Is(err, os.ErrNotExist) {
			return k, err
		}
		k = make([]byte, 32)
		rand.Read(k)
		// Two processes may start at once: the key is published with a
		// link, which fails if the other one won, and then theirs is read.
		err = publishKeyFile(kd, path, []byte(base64.StdEncoding.EncodeToString(k)))
		if err == nil {
			return k, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("machine key: %w", err)
		}
	}
	return nil, fmt.Errorf("machine key %s: could not be created", path)
}

func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	// Windows has no Unix modes (Go reports 0666): the per-user AppData
	// directory's ACL protects the file there.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("machine key %s: readable by other users (mode %o): refused", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("machine key: %w", err)
	}
	return decodeKey(string(b))
}

func publishKeyFile(dir, path string, b []byte) error {
	tmp, err := os.CreateTemp(dir, ".key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Link(tmp.Name(), path)
}

func machineKeyFileExists(dir, name string) bool {
	_, err := os.Stat(filepath.Join(machineKeyDir(dir), name))
	return err == nil
}

// seedMachineKeyFile publishes k as the machine key file name unless one
// exists already (another process won: theirs stays).
func seedMachineKeyFile(dir, name string, k []byte) error {
	kd := machineKeyDir(dir)
	if err := os.MkdirAll(kd, 0o700); err != nil {
		return fmt.Errorf("machine key directory: %w", err)
	}
	err := publishKeyFile(kd, filepath.Join(kd, name), []byte(base64.StdEncoding.EncodeToString(k)))
	if err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("machine key: %w", err)
	}
	return nil
}

// machineKeyDir is where the machine key files (and the profiles'
// integrity generations) live under dir.
func machineKeyDir(dir string) string { return filepath.Join(dir, "machine-keys") }
