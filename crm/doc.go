// Package crm looks up the customer behind a phone number and turns the
// contact into a card the agent may see.
//
// A Directory is any contact source: the embedded SQLite Store (default,
// filled by ImportCSV / ImportVCard) or a REST adapter for the CRM a company
// already runs. Numbers are normalised to E.164 (Normalize) before lookup.
//
// What the agent sees is a Card: the minimum by default (GDPR Art. 25) with
// sensitive fields masked by a Policy (mask.go: pure functions). A Lookup is
// the per-call session: it looks up asynchronously with a timeout, so a CRM
// that is down or slow never blocks a call, reveals single fields with
// permission, reason and an audit entry, masks them again after a while or
// at call end, and reports consent and "payment in progress" as events.
//
// Nothing unmasked is ever logged: numbers are logged through Number, which
// redacts all but the last digits, and audit entries carry a field name and a
// customer pseudonym, never a value.
package crm
