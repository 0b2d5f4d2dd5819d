package recording

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
)

// ParseRecipients parses age public keys ("age1…", one per entry) from the configuration.
func ParseRecipients(keys []string) ([]age.Recipient, error) {
	var out []age.Recipient
	for i, k := range keys {
		k = strings.TrimSpace(k)
		if k == "" {
			continue
		}
		rs, err := age.ParseRecipients(strings.NewReader(k))
		if err != nil {
			return nil, fmt.Errorf("recording recipient %d: %w", i+1, err)
		}
		out = append(out, rs...)
	}
	if len(out) == 0 {
		return nil, ErrNoRecipients
	}
	return out, nil
}

// ParseIdentityFile reads age private keys (an identity file as written by age-keygen).
func ParseIdentityFile(r io.Reader) ([]age.Identity, error) {
	ids, err := age.ParseIdentities(r)
	if err != nil {
		return nil, fmt.Errorf("read identity file: %w", err)
	}
	return ids, nil
}

// subKey derives an independent key for one purpose from the local key.
func subKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("softphone recording v1\x00" + purpose))
	return m.Sum(nil)
}

// Pseudonym is the customer reference stored instead of the number: a keyed
// HMAC of the number's digits under the local key. The same number gives the
// same reference on this installation only; the number cannot be read back.
func Pseudonym(key []byte, number string) string {
	var norm strings.Builder
	for _, r := range number {
		if r >= '0' && r <= '9' || r == '+' && norm.Len() == 0 {
			norm.WriteRune(r)
		}
	}
	if norm.Len() == 0 {
		return ""
	}
	m := hmac.New(sha256.New, subKey(key, "customer-pseudonym"))
	m.Write([]byte(norm.String()))
	return "c_" + hex.EncodeToString(m.Sum(nil)[:16])
}

// recordingKey is the per-recording X25519 identity: segments are encrypted to
// its public half; the identity itself is stored only wrapped to the
// organisation's recipients. Destroying the wrapped copy shreds the audio.
type recordingKey struct {
	id *age.X25519Identity
}

func newRecordingKey() (recordingKey, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return recordingKey{}, err
	}
	return recordingKey{id: id}, nil
}

// wrap encrypts the identity to the organisation's recipients.
func (k recordingKey) wrap(recipients []age.Recipient) ([]byte, error) {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, recipients...)
	if err != nil {
		return nil, fmt.Errorf("wrap recording key: %w", err)
	}
	if _, err := io.WriteString(w, k.id.String()); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// unwrapKey decrypts a wrapped per-recording identity with the supervisor's identities.
func unwrapKey(wrapped []byte, ids []age.Identity) (*age.X25519Identity, error) {
	r, err := age.Decrypt(bytes.NewReader(wrapped), ids...)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return nil, ErrWrongKey
		}
		return nil, fmt.Errorf("%w: wrapped key: %v", ErrTampered, err)
	}
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return nil, fmt.Errorf("%w: wrapped key: %v", ErrTampered, err)
	}
	id, err := age.ParseX25519Identity(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: wrapped key content", ErrTampered)
	}
	return id, nil
}

// rowMAC authenticates one index row.
func rowMAC(macKey []byte, doc []byte, wrapped []byte) string {
	m := hmac.New(sha256.New, macKey)
	wk := sha256.Sum256(wrapped)
	m.Write(wk[:])
	m.Write(doc)
	return hex.EncodeToString(m.Sum(nil))
}
