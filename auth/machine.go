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
	MachinePolicyKey    = "policy-key"    // authenticates the signed policy bundle's version state
	MachineReceiptKey   = "receipt-key"   // seeds the Ed25519 key that signs erasure receipts
)

// MachineSecret returns the machine-wide 32-byte key name, creating it on
// first use. It lives in the OS keyring (service "softphone", user
// "machine/NAME"). Where no keyring is reachable it is a key file readable
// only by the OS user, beside the profiles (MachineKeyFile), so every
// profile on the desk shares it: the admin's import is readable by the
// agents, the agents' recordings by the supervisor and the DPO. A key that
// an older version kept in the logged-in profile's vault seeds the file, so
// what was written with it stays readable. sess may be nil.
func (s *Service) MachineSecret(sess *Session, name string) ([]byte, error) {
	switch name {
	case MachineRecordingKey, MachineAuditKey, MachineCRMKey:
	default:
		return nil, fmt.Errorf("unknown machine secret %q", name)
	}
	if kv, ok := s.vault.(*keyringVault); ok {
		return machineKeyring(kv.kc, name)
	}
	dir := filepath.Dir(s.store.Dir)
	if name != MachineAuditKey && sess != nil && !machineKeyFileExists(dir, name) {
		if v, err := sess.Secret(name); err == nil {
			if k, err := decodeKey(v); err == nil {
				if err := seedMachineKeyFile(dir, name, k); err != nil {
					return nil, err
				}
			}
		}
	}
	return MachineKeyFile(dir, name)
}

// AuditKey returns the audit anchor key without a login: from the OS
// keyring when the vault backend is the keyring, else from the user-only
// key file beside profileDir. Every mode has one, so the anchor always
// carries a MAC.
func AuditKey(ctx context.Context, backend, profileDir string) ([]byte, error) {
	return MachineKey(ctx, backend, profileDir, MachineAuditKey)
}

// MachineKey is a machine-wide key that needs no login (audit, policy,
// receipt, profile keys): the OS keyring with the keyring backend, else a
// user-only key file beside profileDir.
func MachineKey(ctx context.Context, backend, profileDir, name string) ([]byte, error) {
	if backend == VaultKeyring {
		return KeyringMachineSecret(ctx, name)
	}
	return MachineKeyFile(filepath.Dir(profileDir), name)
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
