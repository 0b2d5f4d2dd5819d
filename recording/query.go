package recording

import "errors"

// Filter narrows List.
type Filter struct {
	FlaggedOnly    bool
	OnHoldOnly     bool
	IncludeDeleted bool
	CallID         string
}

// Get returns one recording's index entry.
func (s *Store) Get(actor string, role Role, id string) (Meta, error) {
	s.mu.Lock()
	r, err := getRow(s.db, s.macKey, id)
	s.mu.Unlock()
	if err != nil && !errors.Is(err, ErrTampered) {
		return Meta{}, err
	}
	if !s.allows(role, PermListAll) && !(s.allows(role, PermListOwn) && r.meta.Owner == actor) {
		return Meta{}, s.permit(actor, role, PermListAll, id)
	}
	return r.meta, err
}

// List returns the recordings the actor may see: roles with list-all see
// all, agents their own. Entries whose MAC fails are included with Tampered set.
func (s *Store) List(actor string, role Role, f Filter) ([]Meta, error) {
	if !s.allows(role, PermListAll) {
		if err := s.permit(actor, role, PermListOwn, ""); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	rows, err := allRows(s.db, s.macKey, "")
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	var out []Meta
	for _, r := range rows {
		m := r.meta
		switch {
		case !s.allows(role, PermListAll) && m.Owner != actor:
		case f.FlaggedOnly && !m.Flagged():
		case f.OnHoldOnly && !m.OnHold():
		case !f.IncludeDeleted && m.Status == StatusDeleted:
		case f.CallID != "" && m.CallID != f.CallID:
		default:
			out = append(out, m)
		}
	}
	return out, nil
}
