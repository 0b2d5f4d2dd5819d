package s3store

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Config says where the central bucket is. The keys come from the
// vault or keyring, never from the configuration file.
type Config struct {
	// Endpoint is the S3 URL, e.g. https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:7070.
	Endpoint string
	Bucket   string
	Region   string
	// Prefix is put in front of every object key (may be empty).
	Prefix    string
	AccessKey string
	SecretKey string
	// RootCAs verifies an https endpoint with a private CA (nil: system roots).
	RootCAs *x509.CertPool
}

// Bucket is one S3 bucket (with Object Lock) under a key prefix.
type Bucket struct {
	mc     *minio.Client
	bucket string
	prefix string
}

// Open makes the S3 client. It does no I/O.
func Open(cfg Config) (*Bucket, error) {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("%w: endpoint %q: want http(s)://host[:port]", ErrConfig, cfg.Endpoint)
	}
	if cfg.Bucket == "" {
		return nil, fmt.Errorf("%w: bucket is empty", ErrConfig)
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, fmt.Errorf("%w: the access key and secret are not in the vault (softphone secret set central.access_key / central.secret_key)", ErrConfig)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: cfg.RootCAs}
	tr.ResponseHeaderTimeout = 30 * time.Second
	mc, err := minio.New(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure: u.Scheme == "https", Region: cfg.Region, Transport: tr,
		// The uploader has its own back-off; fail fast while the store is down.
		MaxRetries: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	p := strings.Trim(cfg.Prefix, "/")
	if p != "" {
		p += "/"
	}
	return &Bucket{mc: mc, bucket: cfg.Bucket, prefix: p}, nil
}

// Lock is the Object Lock state to put on an object.
type Lock struct {
	LegalHold   bool
	RetainUntil time.Time // zero: no retention
	Compliance  bool      // COMPLIANCE mode (nobody can shorten it); else GOVERNANCE
}

// ObjectInfo is one stored object (latest version unless listed with versions).
type ObjectInfo struct {
	Key       string // without the prefix
	Size      int64
	VersionID string
	Modified  time.Time
}

func (b *Bucket) full(key string) string { return b.prefix + key }

// Put stores data under key with the lock, then reads the object's metadata
// back and checks its size, its ETag (the MD5 the store computed over what it
// received) and the SHA-256 recorded with it. The store itself rejects a
// body that does not match the Content-MD5 header.
func (b *Bucket) Put(ctx context.Context, key string, data []byte, lock Lock) (string, error) {
	sum := sha256.Sum256(data)
	want := base64.StdEncoding.EncodeToString(sum[:])
	opts := minio.PutObjectOptions{
		ContentType: "application/octet-stream", SendContentMd5: true, DisableMultipart: true,
		UserMetadata: map[string]string{"sha256": want},
	}
	if lock.LegalHold {
		opts.LegalHold = minio.LegalHoldEnabled
	}
	if !lock.RetainUntil.IsZero() {
		opts.Mode, opts.RetainUntilDate = minio.Governance, lock.RetainUntil.UTC()
		if lock.Compliance {
			opts.Mode = minio.Compliance
		}
	}
	info, err := b.mc.PutObject(ctx, b.bucket, b.full(key), bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", key, err)
	}
	st, err := b.mc.StatObject(ctx, b.bucket, b.full(key), minio.StatObjectOptions{VersionID: info.VersionID})
	if err != nil {
		return "", fmt.Errorf("check %s: %w", key, err)
	}
	md := md5.Sum(data)
	etag := strings.Trim(st.ETag, `"`)
	if st.Size != int64(len(data)) || etag != hex.EncodeToString(md[:]) ||
		st.UserMetadata["Sha256"] != want && st.UserMetadata["sha256"] != want {
		return "", fmt.Errorf("check %s: %w", key, ErrChecksum)
	}
	return info.VersionID, nil
}

// Get reads a whole object (latest version) into memory, at most max bytes.
func (b *Bucket) Get(ctx context.Context, key string, max int64) ([]byte, error) {
	o, err := b.mc.GetObject(ctx, b.bucket, b.full(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, b.mapErr(key, err)
	}
	defer o.Close()
	data, err := io.ReadAll(io.LimitReader(o, max+1))
	if err != nil {
		return nil, b.mapErr(key, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrTooLarge, key, max)
	}
	return data, nil
}

// List returns the latest versions of the objects under prefix (relative to
// the bucket prefix), in key order. With versions it returns every version.
func (b *Bucket) List(ctx context.Context, prefix string, versions bool) ([]ObjectInfo, error) {
	var out []ObjectInfo
	for o := range b.mc.ListObjects(ctx, b.bucket, minio.ListObjectsOptions{
		Prefix: b.full(prefix), Recursive: true, WithVersions: versions,
	}) {
		if o.Err != nil {
			return nil, b.mapErr(prefix, o.Err)
		}
		if o.IsDeleteMarker && !versions {
			continue
		}
		out = append(out, ObjectInfo{Key: strings.TrimPrefix(o.Key, b.prefix), Size: o.Size, VersionID: o.VersionID, Modified: o.LastModified})
	}
	return out, nil
}

// SetLegalHold switches the legal hold of one object version on or off.
func (b *Bucket) SetLegalHold(ctx context.Context, key, versionID string, on bool) error {
	st := minio.LegalHoldDisabled
	if on {
		st = minio.LegalHoldEnabled
	}
	err := b.mc.PutObjectLegalHold(ctx, b.bucket, b.full(key), minio.PutObjectLegalHoldOptions{VersionID: versionID, Status: &st})
	return b.mapErr(key, err)
}

// LegalHold reports whether one object version is under legal hold.
func (b *Bucket) LegalHold(ctx context.Context, key, versionID string) (bool, error) {
	st, err := b.mc.GetObjectLegalHold(ctx, b.bucket, b.full(key), minio.GetObjectLegalHoldOptions{VersionID: versionID})
	if err != nil {
		var er minio.ErrorResponse
		if errors.As(err, &er) && (er.Code == "NoSuchObjectLockConfiguration" || er.Code == "ObjectLockConfigurationNotFoundError") {
			return false, nil
		}
		return false, b.mapErr(key, err)
	}
	return st != nil && *st == minio.LegalHoldEnabled, nil
}

// RemoveVersion deletes one object version for good. The store refuses
// while a legal hold or retention protects it (ErrRetained). bypass asks to
// override GOVERNANCE retention (only roles allowed to delete do).
func (b *Bucket) RemoveVersion(ctx context.Context, key, versionID string, bypass bool) error {
	err := b.mc.RemoveObject(ctx, b.bucket, b.full(key), minio.RemoveObjectOptions{VersionID: versionID, GovernanceBypass: bypass})
	return b.mapErr(key, err)
}

// mapErr turns S3 error responses into this package's sentinels.
func (b *Bucket) mapErr(key string, err error) error {
	if err == nil {
		return nil
	}
	var er minio.ErrorResponse
	if errors.As(err, &er) {
		switch {
		case er.Code == "NoSuchKey" || er.Code == "NoSuchVersion":
			return fmt.Errorf("%s: %w", key, ErrNotFound)
		case er.StatusCode == http.StatusForbidden && er.Code == "AccessDenied":
			return fmt.Errorf("%s: %w (%s)", key, ErrRetained, er.Message)
		}
	}
	return fmt.Errorf("%s: %w", key, err)
}
