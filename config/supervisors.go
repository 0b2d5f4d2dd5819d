package config

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// Supervisors lists the supervisors whose signed commands (recording on
// or off for a live call) this desktop accepts. Public keys only; a
// supervisor's private key lives in their profile's vault.
type Supervisors struct {
	// Keys maps a key ID (the key's fingerprint) to its owner.
	Keys map[string]SupervisorKey `toml:"keys"`
}

// SupervisorKey is one supervisor's Ed25519 public key (base64).
type SupervisorKey struct {
	Name      string `toml:"name"`
	PublicKey string `toml:"public_key"`
}

// ID is the key's fingerprint, the ID signed commands name it by: the
// first 8 bytes of its SHA-256, hex (phone.KeyID). It fails when the key is not a
// base64 Ed25519 public key or has no name.
func (k SupervisorKey) ID() (string, error) {
	b, err := base64.StdEncoding.DecodeString(k.PublicKey)
	if err != nil || len(b) != ed25519.PublicKeySize || k.Name == "" {
		return "", errors.New("not a named base64 Ed25519 public key")
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8]), nil
}

// Validate checks that every key is a base64 Ed25519 public key with a name.
func (s Supervisors) Validate() error {
	for id, k := range s.Keys {
		b, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return fmt.Errorf("supervisors.keys.%s: public_key is not a base64 Ed25519 public key", id)
		}
		if k.Name == "" {
			return fmt.Errorf("supervisors.keys.%s: name is empty", id)
		}
	}
	return nil
}
