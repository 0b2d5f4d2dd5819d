package s3store

import (
	"errors"
	"testing"
)

func TestOpenChecksConfig(t *testing.T) {
	ok := Config{Endpoint: "https://s3.eu-central-1.amazonaws.com", Bucket: "b", Region: "eu-central-1", AccessKey: "k", SecretKey: "s"}
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		ok   bool
	}{
		{"aws", func(*Config) {}, true},
		{"local http", func(c *Config) { c.Endpoint = "http://127.0.0.1:7070" }, true},
		{"no scheme", func(c *Config) { c.Endpoint = "s3.example.com" }, false},
		{"ftp", func(c *Config) { c.Endpoint = "ftp://s3.example.com" }, false},
		{"no bucket", func(c *Config) { c.Bucket = "" }, false},
		{"no keys", func(c *Config) { c.AccessKey = "" }, false},
		{"no secret", func(c *Config) { c.SecretKey = "" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.mod(&c)
			b, err := Open(c)
			if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrConfig) {
				t.Fatalf("Open: %v", err)
			}
			if tc.ok && b.full("x") != "x" {
				t.Fatalf("no prefix: key %q", b.full("x"))
			}
		})
	}
	c := ok
	c.Prefix = "/site1/"
	b, err := Open(c)
	if err != nil || b.full("rec/a") != "site1/rec/a" {
		t.Fatalf("prefix: %v %q", err, b.full("rec/a"))
	}
}
