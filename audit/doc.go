// Package audit is the softphone's append-only, hash-chained audit log.
//
// Every entry is one JSON line:
//
//	{"seq":1,"time":"2026-11-23T13:00:00.000000001Z","actor":"agent7","action":"auth.login",
//	 "attrs":{"role":"agent"},"prev":"000…000","hash":"…"}
//
// hash is the hex SHA-256 of the entry's canonical JSON without the hash
// field (fields in the order above, attrs keys sorted, as encoding/json writes
// them), and prev is the previous entry's hash (64 zeros for the first). The
// file is opened with O_APPEND and every entry is written with one write and
// fsynced before Record returns.
//
// # Anchor
//
// A chain alone cannot reveal a cut-off tail: the shorter log is still a valid
// chain. After each entry the log therefore rewrites an anchor file next to it
// (FILE.anchor: count and head hash, atomically replaced). With WithAnchorKey
// the anchor carries an HMAC-SHA256 under a key kept outside the log (the OS
// keyring), so only the key holder can produce a matching anchor.
//
// What Verify detects:
//   - an edited entry (its hash no longer matches its content),
//   - a removed, inserted, duplicated or reordered entry (seq gap or order, prev mismatch),
//   - a removed tail (anchor count above the log's), a rolled-back anchor,
//   - with a key: a forged or replaced anchor (HMAC mismatch).
//
// What it cannot detect: someone who can write both files and (when a key is
// used) holds the key can rewrite the whole history consistently; without a
// key, anyone who can write both files can. Deleting log and anchor together
// is visible only as a missing log. Time stamps are the writer's clock.
// A crash between writing an entry and its anchor leaves the anchor one entry
// behind; Verify accepts that and says so.
//
// Entries must never contain audio or unmasked personal data: callers pass
// identifiers (profile names, recording ids, pseudonyms) and reasons only.
package audit
