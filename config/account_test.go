package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeCA(t *testing.T, dir string) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every account error names its key, so cmd can stop before any login.
func TestAccountValidateNamesKey(t *testing.T) {
	dir := t.TempDir()
	ca := writeCA(t, dir)
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	tests := []struct {
		name    string
		acc     Account
		wantKey string
	}{
		{"ok host", Account{Server: "pbx.example.com"}, ""},
		{"ok host:port", Account{Server: "pbx.example.com:5061", CAFile: ca}, ""},
		{"ok ipv6", Account{Server: "[::1]:5061"}, ""},
		{"port out of range", Account{Server: "pbx:70000"}, "account.server"},
		{"port not a number", Account{Server: "pbx:sip"}, "account.server"},
		{"url instead of host", Account{Server: "sips://pbx"}, "account.server"},
		{"no host", Account{Server: ":5061"}, "account.server"},
		{"negative expires", Account{Server: "pbx", Expires: -time.Minute}, "account.expires"},
		{"ok servers", Account{Server: "pbx1", Servers: []string{"pbx2:5061", "198.51.100.7"}}, ""},
		{"bad second server", Account{Server: "pbx1", Servers: []string{"pbx2:99999"}}, "account.servers"},
		{"empty second server", Account{Servers: []string{""}}, "account.servers"},
		{"ca file missing", Account{CAFile: filepath.Join(dir, "none.pem")}, "account.ca_file"},
		{"ca file junk", Account{CAFile: junk}, "account.ca_file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.acc.Validate()
			if tc.wantKey == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Key != tc.wantKey {
				t.Fatalf("got %v, want a KeyError for %s", err, tc.wantKey)
			}
			c := Default()
			c.Account = tc.acc
			if c.Validate() == nil {
				t.Fatal("Config.Validate must report it too")
			}
		})
	}
}
