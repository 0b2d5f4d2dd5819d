package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// Secret names: the only secrets kept in the vault.
const (
	SecretSIPPassword  = "sip-password"
	SecretCRMToken     = "crm-token"
	SecretRecordingKey = "recording-key"
	// SecretS3AccessKey and SecretS3SecretKey are the central storage keys.
	SecretS3AccessKey = "s3-access-key"
	SecretS3SecretKey = "s3-secret-key"
	// SecretOrgIdentity is the organisation's age identity granted to a
	// reviewer for playback from central storage.
	SecretOrgIdentity = "org-identity"
	// SecretSupervisorKey is a supervisor's Ed25519 signing key seed
	// (base64) for signed commands to agents' desktops.
	SecretSupervisorKey = "supervisor-key"
	// SecretTOTP is the TOTP secret; it never leaves this package.
	SecretTOTP = "totp-secret"
	// secretTOTPPending is the secret of an enrolment not yet confirmed.
	secretTOTPPending = "totp-pending"
)

// Vault backends.
const (
	VaultKeyring = "keyring" // OS keyring through go-keyring
	VaultFile    = "file"    // encrypted file, key from the login password
	VaultAuto    = "auto"    // keyring when reachable, else file
)

// KeyringService is the go-keyring service name; items are keyed
// "PROFILE/SECRET", e.g. "alice/sip-password".
const KeyringService = "softphone"

// VaultRef names one profile's vault. Gen counts password changes: the
// file backend writes each generation to a new file and the profile file
// records the current one, so a crash during a password change leaves a
// consistent pair. The keyring backend ignores Gen.
type VaultRef struct {
	Profile string
	Gen     int
}

// Vault stores per-profile secrets.
type Vault interface {
	// Backend names the backend: VaultKeyring or VaultFile.
	Backend() string
	// Create prepares an empty vault for a new profile.
	Create(ref VaultRef, password string) error
	// Open gives access to a profile's secrets. The file backend needs the
	// profile's login password; the keyring backend ignores it.
	Open(ref VaultRef, password string) (Secrets, error)
	// Rekey copies the secrets of from (opened with oldPassword) to to,
	// protected by newPassword, and returns them opened. from stays as it
	// is until Prune.
	Rekey(from, to VaultRef, oldPassword, newPassword string) (Secrets, error)
	// Prune removes the profile's vault generations other than keep.
	Prune(keep VaultRef) error
}

// Secrets is one profile's opened vault.
type Secrets interface {
	// Get returns a secret or an error wrapping ErrSecretNotFound.
	Get(name string) (string, error)
	// Set stores a secret, replacing any previous value.
	Set(name, value string) error
	// Delete removes a secret; deleting a missing one is not an error.
	Delete(name string) error
}

// VaultConfig selects a vault.
type VaultConfig struct {
	// Backend is VaultAuto (default when empty), VaultKeyring or VaultFile.
	Backend string
	// Dir holds the vault files of the file backend (one per profile).
	Dir string
	// Logger receives the backend choice; nil uses slog.Default().
	Logger *slog.Logger
}

// OpenVault returns the vault to use. With VaultAuto it probes the OS keyring
// (a write, read and delete of a probe item) and falls back to the file
// vault if that fails; the chosen backend is logged and is Backend().
func OpenVault(ctx context.Context, cfg VaultConfig) (Vault, error) {
	return openVault(ctx, cfg, goKeyring{})
}

func openVault(ctx context.Context, cfg VaultConfig, kc keyringClient) (Vault, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "vault")
	switch cfg.Backend {
	case VaultFile:
		return newFileVault(cfg.Dir)
	case VaultKeyring:
		if err := probeKeyring(ctx, kc); err != nil {
			return nil, err
		}
		return newKeyringVault(kc), nil
	case "", VaultAuto:
		if err := probeKeyring(ctx, kc); err != nil {
			log.Info("no OS keyring: using the encrypted file vault", "reason", err)
			return newFileVault(cfg.Dir)
		}
		log.Info("using the OS keyring")
		return newKeyringVault(kc), nil
	}
	return nil, fmt.Errorf("vault backend %q: want auto, keyring or file", cfg.Backend)
}

// checkSecretName accepts the Secret* names.
func checkSecretName(name string) error {
	switch name {
	case SecretSIPPassword, SecretCRMToken, SecretRecordingKey, SecretSupervisorKey, MachineAuditKey, MachineCRMKey, SecretTOTP, secretTOTPPending,
		SecretS3AccessKey, SecretS3SecretKey, SecretOrgIdentity:
		return nil
	}
	return fmt.Errorf("%w: %q", ErrUnknownSecret, name)
}

// releasable reports whether Session.Secret may hand out the secret.
func releasable(name string) error {
	if err := checkSecretName(name); err != nil {
		return err
	}
	if name == SecretTOTP || name == secretTOTPPending {
		return ErrSecretNotReleasable
	}
	return nil
}

var errProbeTimeout = errors.New("keyring did not answer in time")
