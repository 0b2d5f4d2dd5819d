package config

import (
	"fmt"
	"net/url"
	"strings"
)

// RecordingStore configures central storage of recordings and the audit
// log in an S3-compatible bucket with Object Lock. The access key and secret
// are never here: they are kept in the profile's vault
// (softphone secret set s3-access-key / s3-secret-key).
type RecordingStore struct {
	// Endpoint is the S3 URL, e.g. https://s3.eu-central-1.amazonaws.com; "" keeps recordings local.
	Endpoint string `toml:"endpoint"`
	Bucket   string `toml:"bucket"`
	Region   string `toml:"region"`
	// Prefix is put in front of every object key, e.g. the site name.
	Prefix string `toml:"prefix"`
	// KeepDays keeps the local copy this many days after a verified upload
	// (0: crypto-shredded at once; -1: never).
	KeepDays int `toml:"keep_days"`
	// RetentionMode is the Object Lock mode of recording retention:
	// "governance" (default; roles that may delete can lift it) or "compliance".
	RetentionMode string `toml:"retention_mode"`
	// AuditRetainDays puts COMPLIANCE retention on shipped audit objects (0: the bucket default).
	AuditRetainDays int `toml:"audit_retain_days"`
}

// Enabled reports whether central storage is configured.
func (s RecordingStore) Enabled() bool { return s.Endpoint != "" }

// Validate reports the first store setting that cannot work.
func (s RecordingStore) Validate() error {
	if !s.Enabled() {
		return nil
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("recording.store.endpoint %q: want https://host[:port]", s.Endpoint)
	}
	if u.User != nil || u.RawQuery != "" {
		return fmt.Errorf("recording.store.endpoint: no keys or query in the URL (the keys belong in the vault)")
	}
	if s.Bucket == "" {
		return fmt.Errorf("recording.store.bucket is empty")
	}
	if s.KeepDays < -1 || s.KeepDays > 3650 {
		return fmt.Errorf("recording.store.keep_days %d: want -1 (never) or 0 to 3650", s.KeepDays)
	}
	switch strings.ToLower(s.RetentionMode) {
	case "", "governance", "compliance":
	default:
		return fmt.Errorf("recording.store.retention_mode %q: want governance or compliance", s.RetentionMode)
	}
	if s.AuditRetainDays < 0 {
		return fmt.Errorf("recording.store.audit_retain_days %d: must not be negative", s.AuditRetainDays)
	}
	return nil
}
