package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/zalando/go-keyring"
)

// Integrity protects profile records against the agent who owns the
// files: a MAC under a machine key, and a per-profile generation counter
// kept outside the profile file, so an older (validly authenticated) copy
// of the file cannot be put back to restore the failure counter, the last
// TOTP step or a role.
type Integrity interface {
	// Key is the 32-byte MAC key.
	Key() ([]byte, error)
	// Generation is the last generation saved for a profile (0: none).
	Generation(profile string) (uint64, error)
	// SetGeneration records the generation just saved.
	SetGeneration(profile string, gen uint64) error
}

// keyringIntegrity keeps key and counters in the OS keyring.
type keyringIntegrity struct {
	kc   keyringClient
	once sync.Once
	key  []byte
	err  error
}

func (k *keyringIntegrity) Key() ([]byte, error) {
	k.once.Do(func() { k.key, k.err = machineKeyring(k.kc, MachineProfileKey) })
	return k.key, k.err
}

func (k *keyringIntegrity) Generation(profile string) (uint64, error) {
	v, err := k.kc.Get(KeyringService, "profile-gen/"+profile)
	if errors.Is(err, keyring.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrKeyringUnavailable, err)
	}
	return strconv.ParseUint(v, 10, 64)
}

func (k *keyringIntegrity) SetGeneration(profile string, gen uint64) error {
	if err := k.kc.Set(KeyringService, "profile-gen/"+profile, strconv.FormatUint(gen, 10)); err != nil {
		return fmt.Errorf("%w: %v", ErrKeyringUnavailable, err)
	}
	return nil
}

// fileIntegrity is the fallback without a keyring: the key in a user-only
// key file, the counters in a second user-only file. It detects a copied
// or edited profile file, not an agent who also edits the key files (see
// the README's security model).
type fileIntegrity struct {
	dir  string // the softphone config directory (parent of profiles)
	mu   sync.Mutex
	key  []byte
	gens fileGens
}

func (f *fileIntegrity) Key() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.key == nil {
		k, err := MachineKeyFile(f.dir, MachineProfileKey)
		if err != nil {
			return nil, err
		}
		f.key = k
	}
	return f.key, nil
}

func (f *fileIntegrity) Generation(profile string) (uint64, error) {
	return f.gens.get(machineKeyDir(f.dir), profile)
}

func (f *fileIntegrity) SetGeneration(profile string, gen uint64) error {
	return f.gens.set(machineKeyDir(f.dir), profile, gen)
}

// integrityFor picks the Integrity matching the vault backend.
func integrityFor(v Vault, profileDir string) Integrity {
	if kv, ok := v.(*keyringVault); ok {
		return &keyringIntegrity{kc: kv.kc}
	}
	return &fileIntegrity{dir: filepath.Dir(profileDir)}
}

// profileMAC authenticates every field of p except the MAC itself.
func profileMAC(key []byte, p *profile) (string, error) {
	c := *p
	c.MAC = ""
	b, err := encodeProfile(&c)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte("softphone-profile-v1\x00"))
	m.Write(b)
	return hex.EncodeToString(m.Sum(nil)), nil
}

// checkIntegrity verifies MAC and generation of a loaded profile.
func checkIntegrity(in Integrity, p *profile) error {
	key, err := in.Key()
	if err != nil {
		return fmt.Errorf("profile key: %w", err)
	}
	if p.MAC == "" {
		return fmt.Errorf("%w: profile %s carries no MAC (edited, or written by an older version: an admin must re-create it)", ErrProfileTampered, p.Name)
	}
	want, err := profileMAC(key, p)
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(want), []byte(p.MAC)) {
		return fmt.Errorf("%w: profile %s was changed outside the softphone", ErrProfileTampered, p.Name)
	}
	gen, err := in.Generation(p.Name)
	if err != nil {
		return err
	}
	if p.Gen < gen {
		return fmt.Errorf("%w: profile %s is an older copy (generation %d, expected %d)", ErrProfileTampered, p.Name, p.Gen, gen)
	}
	return nil
}
