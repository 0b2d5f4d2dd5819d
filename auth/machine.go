package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/zalando/go-keyring"
)

// Machine-wide secrets: shared by every profile on the machine, because
// what they protect is shared (the recording index and its customer
// pseudonyms, the audit log's anchor).
const (
	MachineRecordingKey = "recording-key"
	MachineAuditKey     = "audit-key"
	MachineCRMKey       = "crm-field-key" // encrypts personal fields in the embedded CRM store
	MachineProfileKey   = "profile-key"   // authenticates profile records (role, counters)
)

// MachineSecret returns the machine-wide 32-byte key name, creating it on
// first use. It lives in the OS keyring (service "softphone", user
// "machine/NAME"). Where no keyring is reachable it falls back to the
// logged-in profile's vault (sess may be nil only when the keyring is
// there): then each profile has its own key, which keeps the data safe but
// means one profile cannot verify another's recordings — provision the
// same key (or use the keyring) on shared desks.
func (s *Service) MachineSecret(sess *Session, name string) ([]byte, error) {
	if name != MachineRecordingKey && name != MachineAuditKey && name != MachineCRMKey {
		return nil, fmt.Errorf("unknown machine secret %q", name)
	}
	if kv, ok := s.vault.(*keyringVault); ok {
		return machineKeyring(kv.kc, name)
	}
	if name == MachineAuditKey {
		// One key for every profile, or each login would see the others'
		// anchors as forged (false tamper alarms).
		return MachineKeyFile(filepath.Dir(s.store.Dir), name)
	}
	if sess == nil {
		return nil, fmt.Errorf("%s: no OS keyring and no login to unlock the file vault", name)
	}
	v, err := sess.Secret(name)
	if err == nil {
		return decodeKey(v)
	}
	k := make([]byte, 32)
	rand.Read(k)
	if err := sess.SetSecret(name, base64.StdEncoding.EncodeToString(k)); err != nil {
		return nil, err
	}
	return k, nil
}

// AuditKey returns the audit anchor key without a login: from the OS
// keyring when the vault backend is the keyring, else from the user-only
// key file beside profileDir. Every mode has one, so the anchor always
// carries a MAC.
func AuditKey(ctx context.Context, backend, profileDir string) ([]byte, error) {
	if backend == VaultKeyring {
		return KeyringMachineSecret(ctx, MachineAuditKey)
	}
	return MachineKeyFile(filepath.Dir(profileDir), MachineAuditKey)
}

// KeyringMachineSecret is MachineSecret for callers that have no Service
// yet (the audit log is opened before the login service that writes to it).
// It fails with ErrKeyringUnavailable where there is no keyring.
func KeyringMachineSecret(ctx context.Context, name string) ([]byte, error) {
	if err := probeKeyring(ctx, goKeyring{}); err != nil {
		return nil, err
	}
	return machineKeyring(goKeyring{}, name)
}

func machineKeyring(kc keyringClient, name string) ([]byte, error) {
	user := "machine/" + name
	v, err := kc.Get(KeyringService, user)
	if err == nil {
		return decodeKey(v)
	}
	if !errors.Is(err, keyring.ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", ErrKeyringUnavailable, err)
	}
	k := make([]byte, 32)
	rand.Read(k)
	if err := kc.Set(KeyringService, user, base64.StdEncoding.EncodeToString(k)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyringUnavailable, err)
	}
	return k, nil
}

func decodeKey(v string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(k) != 32 {
		return nil, errors.New("stored machine key is damaged")
	}
	return k, nil
}
