package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// keyringClient is the part of go-keyring the vault uses; tests substitute a
// fake so unit tests never touch the global go-keyring provider.
type keyringClient interface {
	Set(service, user, secret string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// goKeyring is the real OS keyring.
type goKeyring struct{}

func (goKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }
func (goKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (goKeyring) Delete(s, u string) error        { return keyring.Delete(s, u) }

// probeTimeout bounds the keyring probe: a Secret Service waiting on an
// unlock prompt nobody answers must not hang the start.
const probeTimeout = 5 * time.Second

// probeKeyring checks that the keyring can store, return and delete an item.
func probeKeyring(ctx context.Context, kc keyringClient) error {
	if _, real := kc.(goKeyring); real && !sessionBusLikely() {
		return fmt.Errorf("%w: no D-Bus session bus", ErrKeyringUnavailable)
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	done := make(chan error, 1)
	// The go-keyring calls cannot be cancelled; if the keyring hangs this
	// goroutine ends when the D-Bus call finally returns (buffered channel).
	go func() {
		const user = "_probe/availability"
		if err := kc.Set(KeyringService, user, "probe"); err != nil {
			done <- err
			return
		}
		v, err := kc.Get(KeyringService, user)
		if err == nil && v != "probe" {
			err = errors.New("keyring returned another value")
		}
		if derr := kc.Delete(KeyringService, user); err == nil {
			err = derr
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%w: %v", ErrKeyringUnavailable, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w: %v", ErrKeyringUnavailable, errProbeTimeout)
	}
}

// keyringVault keeps secrets in the OS keyring, service "softphone", user
// "PROFILE/SECRET". The OS protects them with the desktop login.
type keyringVault struct{ kc keyringClient }

func newKeyringVault(kc keyringClient) *keyringVault { return &keyringVault{kc: kc} }

func (v *keyringVault) Backend() string { return VaultKeyring }

func (v *keyringVault) Create(ref VaultRef, _ string) error { return ValidProfileName(ref.Profile) }

func (v *keyringVault) Open(ref VaultRef, _ string) (Secrets, error) {
	if err := ValidProfileName(ref.Profile); err != nil {
		return nil, err
	}
	return &keyringSecrets{kc: v.kc, profile: ref.Profile}, nil
}

// Rekey has nothing to re-encrypt: the OS protects the keyring.
func (v *keyringVault) Rekey(_, to VaultRef, _, _ string) (Secrets, error) { return v.Open(to, "") }

func (v *keyringVault) Prune(VaultRef) error { return nil }

type keyringSecrets struct {
	kc      keyringClient
	profile string
}

func (s *keyringSecrets) key(name string) string { return s.profile + "/" + name }

func (s *keyringSecrets) Get(name string) (string, error) {
	if err := checkSecretName(name); err != nil {
		return "", err
	}
	v, err := s.kc.Get(KeyringService, s.key(name))
	if errors.Is(err, keyring.ErrNotFound) {
		return "", fmt.Errorf("%s: %w", name, ErrSecretNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("keyring get %s: %w", name, err)
	}
	return v, nil
}

func (s *keyringSecrets) Set(name, value string) error {
	if err := checkSecretName(name); err != nil {
		return err
	}
	if err := s.kc.Set(KeyringService, s.key(name), value); err != nil {
		return fmt.Errorf("keyring set %s: %w", name, err)
	}
	return nil
}

func (s *keyringSecrets) Delete(name string) error {
	if err := checkSecretName(name); err != nil {
		return err
	}
	err := s.kc.Delete(KeyringService, s.key(name))
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return fmt.Errorf("keyring delete %s: %w", name, err)
	}
	return nil
}
