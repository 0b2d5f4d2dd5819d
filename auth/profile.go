package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"time"
)

// profileVersion is the format version of profile files.
const profileVersion = 1

// maxProfileFile bounds what is read from a profile file.
const maxProfileFile = 64 << 10

var (
	profileNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	// Windows device names cannot be file names, whatever the extension.
	reservedNameRE = regexp.MustCompile(`^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)`)
)

// ValidProfileName reports whether name can be a profile name: 1–64
// lower-case letters, digits, '.', '_' or '-', starting with a letter or
// digit. Lower case only, so names map to the same file on case-insensitive
// file systems; the rule keeps names safe as file names and keyring keys.
func ValidProfileName(name string) error {
	if !profileNameRE.MatchString(name) || reservedNameRE.MatchString(name) {
		return ErrInvalidProfileName
	}
	return nil
}

// profile is the stored login state of one agent. It never holds a secret:
// the TOTP secret is in the vault; passwords and recovery codes only hashed.
type profile struct {
	Version  int    `json:"version"`
	Name     string `json:"name"`
	Role     Role   `json:"role"`
	Password string `json:"password"` // argon2id PHC string (parameters included)
	// Vault is the backend holding this profile's secrets ("keyring", "file").
	Vault string `json:"vault"`
	// VaultGen is the current vault generation (one more per password change).
	VaultGen int  `json:"vault_gen,omitempty"`
	Enrolled bool `json:"enrolled"`
	// LastStep is the last accepted TOTP time step; it and earlier ones are refused.
	LastStep int64 `json:"last_totp_step"`
	// Failures counts failed attempts since the last success (survives restarts).
	Failures    int       `json:"failures"`
	LastFailure time.Time `json:"last_failure,omitzero"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	// RecoverySalt salts RecoveryHashes; used codes are removed from the list.
	RecoverySalt   []byte    `json:"recovery_salt,omitempty"`
	RecoveryHashes [][]byte  `json:"recovery_hashes,omitempty"`
	Created        time.Time `json:"created"`
	LastLogin      time.Time `json:"last_login,omitzero"`
	// Gen counts saves; the last one is also kept outside the file
	// (Integrity), so an older copy is refused.
	Gen uint64 `json:"gen"`
	// MAC authenticates all the above under the machine profile key.
	MAC string `json:"mac,omitempty"`
}

// ProfileInfo is what may be shown about a profile (admin listing).
type ProfileInfo struct {
	Name                   string
	Role                   Role
	Enrolled               bool
	Failures               int
	LockedUntil            time.Time // zero when not locked
	Vault                  string
	RecoveryCodesRemaining int
	LastLogin              time.Time
}

func (p *profile) info(now time.Time) ProfileInfo {
	pi := ProfileInfo{
		Name: p.Name, Role: p.Role, Enrolled: p.Enrolled, Failures: p.Failures, Vault: p.Vault,
		RecoveryCodesRemaining: len(p.RecoveryHashes), LastLogin: p.LastLogin,
	}
	if p.LockedUntil.After(now) {
		pi.LockedUntil = p.LockedUntil
	}
	return pi
}

// vaultRef is the profile's current vault.
func (p *profile) vaultRef() VaultRef { return VaultRef{Profile: p.Name, Gen: p.VaultGen} }

func encodeProfile(p *profile) ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// decodeProfile parses and checks a profile file. Anything unexpected is
// ErrCorruptProfile: a damaged file must not open a login.
func decodeProfile(b []byte) (*profile, error) {
	if len(b) > maxProfileFile {
		return nil, fmt.Errorf("%w: too large", ErrCorruptProfile)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p profile
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptProfile, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", ErrCorruptProfile)
	}
	switch {
	case p.Version != profileVersion:
		return nil, fmt.Errorf("%w: unsupported version %d", ErrCorruptProfile, p.Version)
	case ValidProfileName(p.Name) != nil:
		return nil, fmt.Errorf("%w: bad name", ErrCorruptProfile)
	case !p.Role.Valid():
		return nil, fmt.Errorf("%w: bad role", ErrCorruptProfile)
	case p.Failures < 0 || p.LastStep < 0 || p.VaultGen < 0:
		return nil, fmt.Errorf("%w: bad counters", ErrCorruptProfile)
	case p.Vault != VaultKeyring && p.Vault != VaultFile:
		return nil, fmt.Errorf("%w: bad vault backend", ErrCorruptProfile)
	case len(p.RecoveryHashes) > RecoveryCodeCount:
		return nil, fmt.Errorf("%w: too many recovery codes", ErrCorruptProfile)
	}
	for _, h := range p.RecoveryHashes {
		if len(h) != 32 {
			return nil, fmt.Errorf("%w: bad recovery code hash", ErrCorruptProfile)
		}
	}
	if _, err := parseHash(p.Password); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorruptProfile, err)
	}
	return &p, nil
}
