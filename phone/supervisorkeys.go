package phone

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"

	"softphone/auth"
	"softphone/config"
)

// SecretSupervisorKey is the profile vault entry holding a supervisor's
// Ed25519 private key seed (base64); with it the desktop may sign
// supervisor commands.
const SecretSupervisorKey = auth.SecretSupervisorKey

// KeyID is the ID of a supervisor key: the first 8 bytes of the SHA-256
// of the public key, in hex. Agents' configurations list keys by it.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// NewSupervisorSigner makes a signer from a base64 Ed25519 seed.
func NewSupervisorSigner(name, seedB64 string) (*SupervisorSigner, error) {
	seed, err := base64.StdEncoding.DecodeString(seedB64)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errors.New("supervisor key is not a base64 Ed25519 seed")
	}
	key := ed25519.NewKeyFromSeed(seed)
	return &SupervisorSigner{KeyID: KeyID(key.Public().(ed25519.PublicKey)), Name: name, Key: key}, nil
}

// SupervisorKeysFromConfig reads the supervisors' public keys from the
// configuration (until the policy package supplies them).
func SupervisorKeysFromConfig(s config.Supervisors) (SupervisorKeys, error) {
	keys := configKeys{}
	for id, k := range s.Keys {
		b, err := base64.StdEncoding.DecodeString(k.PublicKey)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("supervisor key %s: not an Ed25519 public key", id)
		}
		if KeyID(b) != id {
			return nil, fmt.Errorf("supervisor key %s: the ID is not the key's fingerprint %s", id, KeyID(b))
		}
		keys[id] = namedKey{k.Name, b}
	}
	return keys, nil
}

type namedKey struct {
	name string
	pub  ed25519.PublicKey
}

type configKeys map[string]namedKey

func (c configKeys) SupervisorKey(id string) (string, ed25519.PublicKey, bool) {
	k, ok := c[id]
	return k.name, k.pub, ok
}

// supervisorSigner is the configured signer, else one from the logged-in
// supervisor's vault.
func (a *Agent) supervisorSigner() (*SupervisorSigner, error) {
	if a.cfg.SupervisorSigner != nil {
		return a.cfg.SupervisorSigner, nil
	}
	a.mu.Lock()
	sess := a.session
	a.mu.Unlock()
	if sess == nil || !sess.Can(auth.PermRecordingControl) {
		return nil, errors.New("only a supervisor may send supervisor commands")
	}
	seed, err := sess.Secret(SecretSupervisorKey)
	if err != nil || seed == "" {
		return nil, errors.New("no supervisor key in this profile's vault")
	}
	return NewSupervisorSigner(sess.Profile(), seed)
}
