// Package s3store is the S3-compatible object store client shared by the
// recording uploader and the audit shipper: verified uploads with Object Lock
// (legal hold, GOVERNANCE/COMPLIANCE retention), listing, versioned deletes.
// It wraps github.com/minio/minio-go/v7 so no other package imports it.
package s3store
