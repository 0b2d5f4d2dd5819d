package policy

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Bundle is the organisation-signed policy envelope served over HTTPS: a
// version that only goes up, the policy as TOML, and an Ed25519 signature
// over both.
type Bundle struct {
	Version   uint64 `json:"version"`
	Policy    string `json:"policy"`
	Signature string `json:"signature"` // base64
}

// ErrRollback is a bundle older than one already applied on this machine.
var ErrRollback = errors.New("policy bundle is older than the one already in force (rollback refused)")

func bundleMessage(version uint64, policy string) []byte {
	return []byte("softphone-policy-bundle-v1\x00" + strconv.FormatUint(version, 10) + "\x00" + policy)
}

// SignBundle makes a bundle (the organisation's tool; tests).
func SignBundle(priv ed25519.PrivateKey, version uint64, policyTOML string) ([]byte, error) {
	sig := ed25519.Sign(priv, bundleMessage(version, policyTOML))
	return json.Marshal(Bundle{Version: version, Policy: policyTOML, Signature: base64.StdEncoding.EncodeToString(sig)})
}

// VerifyBundle checks the signature under the pinned key and parses the
// policy. Bundles may not set the bundle.* keys (only the machine does).
func VerifyBundle(pub ed25519.PublicKey, b []byte) (uint64, Doc, error) {
	var bu Bundle
	if err := json.Unmarshal(b, &bu); err != nil {
		return 0, Doc{}, fmt.Errorf("policy bundle: %w", err)
	}
	sig, err := base64.StdEncoding.DecodeString(bu.Signature)
	if err != nil || len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, bundleMessage(bu.Version, bu.Policy), sig) {
		return 0, Doc{}, errors.New("policy bundle: signature invalid for the pinned key")
	}
	d, err := ParseTOML([]byte(bu.Policy), "bundle v"+strconv.FormatUint(bu.Version, 10))
	if err != nil {
		return 0, Doc{}, err
	}
	if _, ok := d.Values[KeyBundleURL]; ok {
		return 0, Doc{}, errors.New("policy bundle: may not set bundle.url")
	}
	if _, ok := d.Values[KeyBundleKey]; ok {
		return 0, Doc{}, errors.New("policy bundle: may not set bundle.public_key")
	}
	return bu.Version, d, nil
}

// ParsePublicKey reads the pinned key (base64 of the 32-byte Ed25519 key).
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s: want the base64 of a 32-byte Ed25519 public key", KeyBundleKey)
	}
	return ed25519.PublicKey(b), nil
}

// BundleSource fetches and checks the signed bundle.
type BundleSource struct {
	URL       string
	PublicKey ed25519.PublicKey
	// Client does the HTTPS request (nil: a client with a 10 s timeout).
	Client *http.Client
	// StateDir keeps the last good bundle (for offline starts) and its
	// version, authenticated with Key, so the version cannot go down.
	StateDir string
	Key      []byte
}

// Fetch downloads the bundle, checks signature and version, and keeps it.
// When the server cannot be reached the last good bundle is used; without
// one, Fetch fails.
func (s BundleSource) Fetch(ctx context.Context) (uint64, Doc, error) {
	if u, err := url.Parse(s.URL); err != nil || u.Scheme != "https" {
		return 0, Doc{}, fmt.Errorf("%s %q: want an https URL", KeyBundleURL, s.URL)
	}
	last, err := s.lastVersion()
	if err != nil {
		return 0, Doc{}, err
	}
	b, ferr := s.download(ctx)
	if ferr != nil {
		cached, err := os.ReadFile(filepath.Join(s.StateDir, "bundle.json"))
		if err != nil {
			return 0, Doc{}, fmt.Errorf("policy bundle: %w (and no copy kept from before)", ferr)
		}
		b = cached
	}
	v, d, err := VerifyBundle(s.PublicKey, b)
	if err != nil {
		return 0, Doc{}, err
	}
	if v < last {
		return 0, Doc{}, fmt.Errorf("%w: got v%d, v%d already applied", ErrRollback, v, last)
	}
	d.Where = fmt.Sprintf("bundle v%d from %s", v, s.URL)
	if ferr == nil {
		if err := s.keep(v, b); err != nil {
			return 0, Doc{}, err
		}
	}
	return v, d, nil
}

func (s BundleSource) download(ctx context.Context) ([]byte, error) {
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", s.URL, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}

type versionFile struct {
	Version uint64 `json:"version"`
	MAC     string `json:"mac"`
}

func (s BundleSource) versionMAC(v uint64) string {
	m := hmac.New(sha256.New, s.Key)
	m.Write([]byte("softphone-policy-version-v1\x00" + strconv.FormatUint(v, 10) + "\x00" + s.URL))
	return hex.EncodeToString(m.Sum(nil))
}

func (s BundleSource) lastVersion() (uint64, error) {
	if len(s.Key) == 0 {
		return 0, errors.New("policy bundle: no key to authenticate the version state")
	}
	b, err := os.ReadFile(filepath.Join(s.StateDir, "bundle-version.json"))
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("policy bundle state: %w", err)
	}
	var vf versionFile
	if json.Unmarshal(b, &vf) != nil || !hmac.Equal([]byte(vf.MAC), []byte(s.versionMAC(vf.Version))) {
		return 0, errors.New("policy bundle state was changed outside the softphone: refused")
	}
	return vf.Version, nil
}

func (s BundleSource) keep(v uint64, b []byte) error {
	if err := os.MkdirAll(s.StateDir, 0o700); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(s.StateDir, "bundle.json"), b); err != nil {
		return err
	}
	vb, _ := json.Marshal(versionFile{Version: v, MAC: s.versionMAC(v)})
	return writeFile(filepath.Join(s.StateDir, "bundle-version.json"), vb)
}

func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
