package config

import (
	"errors"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// KeyError is a setting that cannot work, named by its TOML key, so the
// user knows which line to fix (cmd exits 6 with it, before any login).
type KeyError struct {
	Key    string // e.g. "account.server"
	Reason string
}

func (e *KeyError) Error() string { return e.Key + ": " + e.Reason }

// Validate checks the account section: server, port, CA file content and
// durations.
func (a Account) Validate() error {
	if err := validServer(a.Server); err != nil {
		return err
	}
	for _, s := range a.Servers {
		if s == "" {
			return &KeyError{"account.servers", "empty entry"}
		}
		if err := validServer(s); err != nil {
			var ke *KeyError
			if errors.As(err, &ke) {
				ke.Key = "account.servers"
			}
			return err
		}
	}
	if a.Expires < 0 {
		return &KeyError{"account.expires", fmt.Sprintf("%s must not be negative", a.Expires)}
	}
	if a.CAFile != "" {
		if err := validCAFile(a.CAFile); err != nil {
			return err
		}
	}
	return nil
}

func validServer(s string) error {
	if s == "" {
		return nil // not set up yet: the first-run setup asks for it
	}
	if strings.ContainsAny(s, " \t/\\@") || strings.Contains(s, "://") {
		return &KeyError{"account.server", fmt.Sprintf("%q: want host or host:port", s)}
	}
	host, port := s, ""
	if h, p, err := net.SplitHostPort(s); err == nil {
		host, port = h, p
	} else if strings.Count(s, ":") == 1 || strings.HasPrefix(s, "[") {
		return &KeyError{"account.server", fmt.Sprintf("%q: %v", s, err)}
	}
	if host == "" {
		return &KeyError{"account.server", fmt.Sprintf("%q: no host", s)}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return &KeyError{"account.server", fmt.Sprintf("port %q: want 1..65535", port)}
		}
	}
	return nil
}

func validCAFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return &KeyError{"account.ca_file", err.Error()}
	}
	n := 0
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
			return &KeyError{"account.ca_file", fmt.Sprintf("%s: certificate %d: %v", path, n+1, err)}
		}
		n++
	}
	if n == 0 {
		return &KeyError{"account.ca_file", path + ": no PEM certificate in it"}
	}
	return nil
}
