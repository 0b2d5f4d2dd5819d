// Package phone is the agent session: registration, calls and their state
// machine, and the glue between sip, audio, crm, recording, auth and audit.
//
// It never calls into a UI. Observers take a Snapshot and then Watch the
// typed events; every method is safe to call from any goroutine.
package phone
