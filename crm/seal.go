package crm

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// sealedPrefix marks a column value encrypted by a sealer.
const sealedPrefix = "enc:v1:"

// sealer encrypts single column values with AES-256-GCM. The customer id
// is the additional data, so a value cannot be moved to another contact.
type sealer struct {
	aead cipher.AEAD // nil: values are stored as they are
}

func newSealer(key []byte) (sealer, error) {
	if key == nil {
		return sealer{}, nil
	}
	if len(key) != 32 {
		return sealer{}, fmt.Errorf("crm store: field key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealer{}, err
	}
	return sealer{aead: aead}, nil
}

// seal encrypts v (empty stays empty, so "no value" needs no key).
func (s sealer) seal(customerID, v string) string {
	if s.aead == nil || v == "" {
		return v
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(v)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	ct := s.aead.Seal(nonce, nonce, []byte(v), []byte(customerID))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(ct)
}

// open decrypts a sealed value; unsealed values (written without a key)
// pass through.
func (s sealer) open(customerID, v string) (string, error) {
	if !strings.HasPrefix(v, sealedPrefix) {
		return v, nil
	}
	if s.aead == nil {
		return "", ErrSealed
	}
	raw, err := base64.RawStdEncoding.DecodeString(v[len(sealedPrefix):])
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", ErrSealed
	}
	n := s.aead.NonceSize()
	pt, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(customerID))
	if err != nil {
		return "", ErrSealed
	}
	return string(pt), nil
}
