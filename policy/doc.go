// Package policy computes the effective policy of a desk: the built-in
// defaults, an organisation-signed bundle, the machine policy (Linux
// /etc/softphone/policy.toml, Windows HKLM\Software\Policies\Softphone,
// macOS managed preferences) and the user's config, which may only tighten
// what the others set. Each value carries where it came from, so
// `softphone policy show` and the settings dialog can say which settings
// are locked and by whom.
//
// Keys are the configuration's TOML keys ("media.allow_plain_rtp",
// "crm.mask.iban", "auth.idle_lock"), plus "roles.grant"/"roles.revoke"
// (entries "role:permission", machine or bundle only) and
// "bundle.url"/"bundle.public_key" (machine only).
//
// Some rules are not configurable at all: a full card number is never shown
// or revealed (package crm enforces it; here it is reported as fixed).
package policy
