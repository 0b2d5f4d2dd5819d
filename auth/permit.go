package auth

import "fmt"

// ActionPermissionDenied is audited when a logged-in user is refused an
// action by the permission table.
const ActionPermissionDenied = "permission.denied"

// Permissions returns the effective permission table.
func (s *Service) Permissions() *Table {
	if s.perms == nil {
		return DefaultTable()
	}
	return s.perms
}

// Permit checks that sess may do p. A refusal is audited (with attrs, which
// must hold no personal data) and returned as an ErrPermission naming the
// role and the action.
func (s *Service) Permit(sess *Session, p Permission, attrs map[string]string) error {
	if sess != nil && sess.Can(p) {
		return nil
	}
	actor, role := "system:no-login", Role("")
	if sess != nil {
		actor, role = sess.profile, sess.role
	}
	a := map[string]string{"permission": p.String(), "role": string(role)}
	for k, v := range attrs {
		a[k] = v
	}
	s.record(ActionPermissionDenied, actor, a)
	if sess == nil || !sess.Open() {
		return fmt.Errorf("%w: a login is required for %s", ErrPermission, p)
	}
	return fmt.Errorf("%w: role %s may not %s", ErrPermission, role, p)
}
