// Package central moves sealed, age-encrypted recordings from the agent's
// disk to S3-compatible object storage and lets supervisors review them.
//
// The store only ever sees ciphertext: segments are uploaded as they are on
// disk (encrypted to a per-recording key), bundled into packs to keep the
// request count low, and described by a manifest that is itself encrypted to
// the organisation's recipients. Object keys hold only the day and the
// random recording id.
//
//	PREFIX/rec/YYYY-MM-DD/ID/pack-000001.age   concatenated segment files
//	PREFIX/rec/YYYY-MM-DD/ID/manifest.age      Meta, wrapped key, pack table
//	PREFIX/rec/YYYY-MM-DD/ID/review-….age      supervisor notes and resolutions
//
// Legal hold and retention are S3 Object Lock (legal hold, GOVERNANCE or
// COMPLIANCE retention), so the store enforces them as well as the client.
//
// The Uploader works from a persistent queue (one state file per recording)
// so uploads resume after a crash or kill -9; it never runs on a call's
// goroutines. The Reviewer lists flagged recordings of every agent and
// decrypts them in memory with an organisation identity.
package central
