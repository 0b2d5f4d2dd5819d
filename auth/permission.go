package auth

import (
	"fmt"
	"slices"
	"strings"
)

// Permission is one privileged action. Every package that guards an action
// (recording, crm, cmd, phone) asks this one table.
type Permission int

// Permissions: every privileged action of the softphone.
const (
	// PermReveal: unmask a sensitive CRM field (with a reason; audited).
	// Full card numbers are never revealed, whatever the table says.
	PermReveal Permission = iota + 1
	// PermCRMLookup: look a caller up in the CRM.
	PermCRMLookup
	// PermCRMImport: import contacts into the embedded CRM store.
	PermCRMImport
	// PermRecordingPause: pause/resume the recording of one's own call.
	PermRecordingPause
	// PermRecordingFlag: flag a recording for review (agents: their own).
	PermRecordingFlag
	// PermRecordingListOwn: list one's own recordings.
	PermRecordingListOwn
	// PermRecordingListAll: list everyone's recordings (metadata only).
	PermRecordingListAll
	// PermRecordingControl: switch recording on/off for a call.
	PermRecordingControl
	// PermRecordingPolicy: change the default recording policy.
	PermRecordingPolicy
	// PermPlayback: decrypt a recording to listen to it.
	PermPlayback
	// PermExport: decrypt a recording to a file.
	PermExport
	// PermRecordingDelete: crypto-shred a recording.
	PermRecordingDelete
	// PermLegalHold: place or lift a legal hold on recordings.
	PermLegalHold
	// PermRecordingVerify: check the integrity of all recordings.
	PermRecordingVerify
	// PermAdmin: profile administration (add, unlock, reset 2FA).
	PermAdmin
	// PermErase: erase a customer (GDPR Art. 17).
	PermErase
	// PermAuditExport: export the audit log for an external check.
	PermAuditExport

	permEnd
)

// Permissions lists every permission, in the order of the matrix.
func Permissions() []Permission {
	out := make([]Permission, 0, int(permEnd)-1)
	for p := PermReveal; p < permEnd; p++ {
		out = append(out, p)
	}
	return out
}

var permNames = map[Permission]string{
	PermReveal: "reveal", PermCRMLookup: "crm-lookup", PermCRMImport: "crm-import",
	PermRecordingPause: "recording-pause", PermRecordingFlag: "recording-flag",
	PermRecordingListOwn: "recording-list-own", PermRecordingListAll: "recording-list-all",
	PermRecordingControl: "recording-control", PermRecordingPolicy: "recording-policy",
	PermPlayback: "playback", PermExport: "export", PermRecordingDelete: "recording-delete",
	PermLegalHold: "legal-hold", PermRecordingVerify: "recording-verify", PermAdmin: "admin",
	PermErase: "erase", PermAuditExport: "audit-export",
}

// String returns the permission's name, e.g. "reveal".
func (p Permission) String() string {
	if n, ok := permNames[p]; ok {
		return n
	}
	return "unknown"
}

// ParsePermission is the inverse of String.
func ParsePermission(s string) (Permission, error) {
	for p, n := range permNames {
		if n == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown permission %q", s)
}

// defaultGrants is the whole default policy, decided for GDPR need-to-know
// (Art. 5(1)(c), 25) and least privilege:
//   - agents handle their own calls;
//   - supervisors listen, review and switch recording per call;
//   - the admin administers (profiles, import, policy, retention, holds)
//     but sees no customer data and does not listen, unless the machine
//     policy grants it;
//   - the DPO erases, holds and exports the audit log, and handles no calls.
var defaultGrants = map[Role][]Permission{
	RoleAgent: {PermReveal, PermCRMLookup, PermRecordingPause, PermRecordingFlag, PermRecordingListOwn},
	RoleSupervisor: {PermReveal, PermCRMLookup, PermRecordingPause, PermRecordingFlag, PermRecordingListOwn,
		PermRecordingListAll, PermRecordingControl, PermPlayback, PermExport, PermRecordingVerify},
	RoleAdmin: {PermCRMImport, PermRecordingListAll, PermRecordingPolicy, PermRecordingDelete,
		PermLegalHold, PermRecordingVerify, PermAdmin, PermErase, PermAuditExport},
	RoleDPO: {PermRecordingListAll, PermRecordingDelete, PermLegalHold, PermRecordingVerify,
		PermErase, PermAuditExport},
}

// Table is a permission table: the defaults, with the grants and
// revocations of the machine policy applied. The zero value is not usable;
// start from DefaultTable.
type Table struct {
	allow map[Role]map[Permission]bool
}

// DefaultTable returns the built-in table.
func DefaultTable() *Table {
	t := &Table{allow: make(map[Role]map[Permission]bool)}
	for r, ps := range defaultGrants {
		t.allow[r] = make(map[Permission]bool)
		for _, p := range ps {
			t.allow[r][p] = true
		}
	}
	return t
}

// Can reports whether role r may do p. Unknown roles may do nothing.
func (t *Table) Can(r Role, p Permission) bool {
	if t == nil {
		t = DefaultTable()
	}
	return t.allow[r][p]
}

// Allows is Can for callers that hold the role as a string (recording).
func (t *Table) Allows(role string, p Permission) bool { return t.Can(Role(role), p) }

// Grant adds p to role r (machine policy only: the user's config may not
// widen the table).
func (t *Table) Grant(r Role, p Permission) error {
	if !r.Valid() || p.String() == "unknown" {
		return fmt.Errorf("grant %s to %s: unknown role or permission", p, r)
	}
	t.allow[r][p] = true
	return nil
}

// Revoke removes p from role r.
func (t *Table) Revoke(r Role, p Permission) {
	if m := t.allow[r]; m != nil {
		delete(m, p)
	}
}

// Matrix renders the table as text rows "permission: role role …" (README,
// policy show).
func (t *Table) Matrix() string {
	var b strings.Builder
	for _, p := range Permissions() {
		var rs []string
		for _, r := range Roles {
			if t.Can(r, p) {
				rs = append(rs, string(r))
			}
		}
		fmt.Fprintf(&b, "%-20s %s\n", p, strings.Join(rs, " "))
	}
	return b.String()
}

// Granted lists the permissions of r, sorted by name.
func (t *Table) Granted(r Role) []string {
	var out []string
	for p, ok := range t.allow[r] {
		if ok {
			out = append(out, p.String())
		}
	}
	slices.Sort(out)
	return out
}
