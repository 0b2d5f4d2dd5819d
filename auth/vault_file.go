package auth

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"
)

const (
	vaultFileVersion = 1
	maxVaultFile     = 1 << 20
	vaultKeyLen      = 32 // XChaCha20-Poly1305 key
	vaultCheckLen    = 32 // key-check value: tells a wrong password from a damaged file
)

// vaultFile is the on-disk form of the file vault. Only the KDF parameters,
// salt, key-check value and nonce are in clear; the secrets are sealed with
// XChaCha20-Poly1305 under argon2id(login password, salt).
type vaultFile struct {
	Version    int    `json:"version"`
	KDF        string `json:"kdf"` // "argon2id"
	Time       uint32 `json:"t"`
	MemoryKiB  uint32 `json:"m"`
	Threads    uint8  `json:"p"`
	Salt       []byte `json:"salt"`
	Check      []byte `json:"check"`
	Nonce      []byte `json:"nonce"`
	Ciphertext []byte `json:"ciphertext"`
}

// FileVault keeps each profile's secrets in Dir/PROFILE.vault (after a
// password change Dir/PROFILE+GEN.vault), encrypted with a key derived from
// the profile's login password. It is the fallback
// where no OS keyring is available. Nothing is ever written in plaintext.
type FileVault struct {
	dir    string
	params HashParams // KDF cost for new vault files
}

// NewFileVault returns the file vault in dir (created 0700 when first written).
func NewFileVault(dir string) (*FileVault, error) { return newFileVault(dir) }

// NewFileVaultCost is NewFileVault with another argon2id cost for the keys
// of new vault files. Only for throwaway vaults (the demo's, tests): real
// profiles use DefaultHashParams.
func NewFileVaultCost(dir string, p HashParams) (*FileVault, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	v, err := newFileVault(dir)
	if err != nil {
		return nil, err
	}
	v.params = p
	return v, nil
}

func newFileVault(dir string) (*FileVault, error) {
	if dir == "" {
		return nil, errors.New("file vault: no directory")
	}
	return &FileVault{dir: dir, params: DefaultHashParams}, nil
}

// Backend returns VaultFile.
func (v *FileVault) Backend() string { return VaultFile }

// path is the file of a vault generation. '+' cannot occur in profile
// names, so generations of one profile never collide with another's file.
func (v *FileVault) path(ref VaultRef) string {
	if ref.Gen == 0 {
		return filepath.Join(v.dir, ref.Profile+".vault")
	}
	return filepath.Join(v.dir, ref.Profile+"+"+strconv.Itoa(ref.Gen)+".vault")
}

func checkRef(ref VaultRef) error {
	if ref.Gen < 0 {
		return fmt.Errorf("vault generation %d", ref.Gen)
	}
	return ValidProfileName(ref.Profile)
}

// Create writes an empty vault for a new profile. An existing vault file is
// never replaced.
func (v *FileVault) Create(ref VaultRef, password string) error {
	if err := checkRef(ref); err != nil {
		return err
	}
	if _, err := os.Stat(v.path(ref)); err == nil {
		return fmt.Errorf("vault file for %s already exists (left from an earlier profile?): move it away first", ref.Profile)
	}
	_, err := v.write(ref, password, map[string]string{})
	return err
}

// write seals data for password under a fresh salt into ref's file
// (replacing it) and returns it opened.
func (v *FileVault) write(ref VaultRef, password string, data map[string]string) (*fileSecrets, error) {
	salt, err := randomBytes(16)
	if err != nil {
		return nil, err
	}
	s := &fileSecrets{v: v, ref: ref, params: v.params, salt: salt, data: data}
	s.key, s.check = deriveVaultKey(password, salt, v.params)
	if err := s.writeLocked(); err != nil {
		return nil, err
	}
	return s, nil
}

// Rekey writes the secrets of from under newPassword to to. A leftover file
// at to (from a change that crashed before the profile was saved) is replaced.
func (v *FileVault) Rekey(from, to VaultRef, oldPassword, newPassword string) (Secrets, error) {
	if err := checkRef(to); err != nil {
		return nil, err
	}
	if to == from || to.Profile != from.Profile {
		return nil, fmt.Errorf("rekey %s: bad target generation", from.Profile)
	}
	old, err := v.Open(from, oldPassword)
	if err != nil {
		return nil, err
	}
	fs := old.(*fileSecrets)
	fs.mu.Lock()
	data := maps.Clone(fs.data)
	fs.mu.Unlock()
	return v.write(to, newPassword, data)
}

// Prune removes the profile's vault files other than keep's.
func (v *FileVault) Prune(keep VaultRef) error {
	if err := checkRef(keep); err != nil {
		return err
	}
	others, err := filepath.Glob(filepath.Join(v.dir, keep.Profile+"+*.vault"))
	if err != nil {
		return err
	}
	others = append(others, v.path(VaultRef{Profile: keep.Profile}))
	var errs []error
	for _, f := range others {
		if f == v.path(keep) {
			continue
		}
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Open decrypts the profile's vault. A wrong password gives ErrVaultPassword,
// a damaged or altered file ErrVaultCorrupt; in both cases the file is left
// untouched.
func (v *FileVault) Open(ref VaultRef, password string) (Secrets, error) {
	if err := checkRef(ref); err != nil {
		return nil, err
	}
	f, err := os.Open(v.path(ref))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", ref.Profile, ErrVaultMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("open vault: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxVaultFile+1))
	if err != nil {
		return nil, fmt.Errorf("read vault: %w", err)
	}
	vf, err := decodeVaultFile(raw)
	if err != nil {
		return nil, err
	}
	p := HashParams{Time: vf.Time, MemoryKiB: vf.MemoryKiB, Threads: vf.Threads, SaltLen: uint32(len(vf.Salt)), KeyLen: vaultKeyLen}
	key, check := deriveVaultKey(password, vf.Salt, p)
	if subtle.ConstantTimeCompare(check, vf.Check) != 1 {
		return nil, ErrVaultPassword
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, vf.Nonce, vf.Ciphertext, vaultAAD(ref, vf))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrVaultCorrupt)
	}
	data := map[string]string{}
	if err := json.Unmarshal(plain, &data); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrVaultCorrupt, err)
	}
	clear(plain)
	return &fileSecrets{v: v, ref: ref, params: p, salt: vf.Salt, key: key, check: check, data: data, written: true}, nil
}

// decodeVaultFile parses and checks the clear part of a vault file.
func decodeVaultFile(raw []byte) (*vaultFile, error) {
	if len(raw) > maxVaultFile {
		return nil, fmt.Errorf("%w: too large", ErrVaultCorrupt)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var vf vaultFile
	if err := dec.Decode(&vf); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrVaultCorrupt, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", ErrVaultCorrupt)
	}
	p := HashParams{Time: vf.Time, MemoryKiB: vf.MemoryKiB, Threads: vf.Threads, SaltLen: uint32(len(vf.Salt)), KeyLen: vaultKeyLen}
	switch {
	case vf.Version != vaultFileVersion || vf.KDF != "argon2id":
		return nil, fmt.Errorf("%w: unsupported format", ErrVaultCorrupt)
	case p.validate() != nil:
		return nil, fmt.Errorf("%w: bad key derivation parameters", ErrVaultCorrupt)
	case len(vf.Check) != vaultCheckLen || len(vf.Nonce) != chacha20poly1305.NonceSizeX ||
		len(vf.Ciphertext) < chacha20poly1305.Overhead:
		return nil, fmt.Errorf("%w: bad field sizes", ErrVaultCorrupt)
	}
	return &vf, nil
}

// deriveVaultKey derives the encryption key and the key-check value.
func deriveVaultKey(password string, salt []byte, p HashParams) (key, check []byte) {
	k := argon2id(password, salt, p, vaultKeyLen+vaultCheckLen)
	return k[:vaultKeyLen], k[vaultKeyLen:]
}

// vaultAAD binds the ciphertext to the profile, the generation and the KDF
// header, so a vault file copied to another profile or generation, or with
// edited parameters, does not open.
func vaultAAD(ref VaultRef, vf *vaultFile) []byte {
	return fmt.Appendf(nil, "softphone vault v%d\x00%s\x00%d\x00%d\x00%d\x00%d\x00%x",
		vf.Version, ref.Profile, ref.Gen, vf.Time, vf.MemoryKiB, vf.Threads, vf.Salt)
}

// fileSecrets is an opened file vault. mu guards data; every Set/Delete
// re-seals the whole map with a fresh nonce and replaces the file atomically.
type fileSecrets struct {
	v      *FileVault
	ref    VaultRef
	params HashParams
	salt   []byte
	key    []byte
	check  []byte

	mu      sync.Mutex
	data    map[string]string
	written bool // the file exists (opened or written by us)
}

func (s *fileSecrets) Get(name string) (string, error) {
	if err := checkSecretName(name); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[name]
	if !ok {
		return "", fmt.Errorf("%s: %w", name, ErrSecretNotFound)
	}
	return v, nil
}

func (s *fileSecrets) Set(name, value string) error {
	if err := checkSecretName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.data[name]
	s.data[name] = value
	if err := s.writeLocked(); err != nil {
		if had {
			s.data[name] = old
		} else {
			delete(s.data, name)
		}
		return err
	}
	return nil
}

func (s *fileSecrets) Delete(name string) error {
	if err := checkSecretName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.data[name]
	if !had {
		return nil
	}
	delete(s.data, name)
	if err := s.writeLocked(); err != nil {
		s.data[name] = old
		return err
	}
	return nil
}

// writeLocked seals data and writes the file; s.mu is held (or s is new).
func (s *fileSecrets) writeLocked() error {
	if s.written {
		// A generation that was pruned after a password change must not be
		// brought back by a session that still holds it.
		if _, err := os.Stat(s.v.path(s.ref)); errors.Is(err, os.ErrNotExist) {
			return ErrVaultStale
		}
	}
	plain, err := json.Marshal(s.data)
	if err != nil {
		return err
	}
	defer clear(plain)
	nonce, err := randomBytes(chacha20poly1305.NonceSizeX)
	if err != nil {
		return err
	}
	vf := &vaultFile{
		Version: vaultFileVersion, KDF: "argon2id",
		Time: s.params.Time, MemoryKiB: s.params.MemoryKiB, Threads: s.params.Threads,
		Salt: s.salt, Check: s.check, Nonce: nonce,
	}
	aead, err := chacha20poly1305.NewX(s.key)
	if err != nil {
		return err
	}
	vf.Ciphertext = aead.Seal(nil, nonce, plain, vaultAAD(s.ref, vf))
	b, err := json.MarshalIndent(vf, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.v.dir, s.v.path(s.ref), append(b, '\n')); err != nil {
		return fmt.Errorf("write vault: %w", err)
	}
	s.written = true
	return nil
}
