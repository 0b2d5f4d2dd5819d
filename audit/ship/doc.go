// Package ship copies the local hash-chained audit log to central object
// storage as append-only objects, one series per agent installation and
// day, each object naming the SHA-256 of the one before it, and verifies
// every agent's chain there (softphone audit verify --central).
//
//	PREFIX/audit/AGENT/YYYY-MM-DD/SEQ.jsonl   header line, then audit entries
//
// AGENT is a random pseudonymous id made once per installation. Objects are
// written once and never replaced; with Object Lock retention the store
// refuses to delete or overwrite them.
package ship
