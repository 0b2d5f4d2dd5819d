package recording

import (
	"errors"
	"strings"

	"softphone/auth"
)

// actErase is audited for each recording shredded by an erasure.
const actErase = "recording.erase"

// Erasure is what EraseCustomer did: recordings shredded, and those kept
// with the reason (legal hold wins over erasure; a call still recording is
// finished first).
type Erasure struct {
	Shredded []string // recording ids
	Held     []string // under legal hold: kept
	Active   []string // still being recorded: kept, erase again after the call
}

// EraseCustomer crypto-shreds every recording of a customer (GDPR Art. 17),
// found by the keyed customer reference of each of their numbers (admin or
// DPO). Recordings under legal hold are kept and reported.
func (s *Store) EraseCustomer(actor string, role Role, numbers []string) (Erasure, error) {
	var out Erasure
	if err := s.permit(actor, role, auth.PermErase, ""); err != nil {
		return out, err
	}
	refs := map[string]bool{}
	for _, n := range numbers {
		// Calls may have carried the number with or without the "+".
		for _, v := range []string{n, strings.TrimPrefix(n, "+")} {
			if p := Pseudonym(s.pkey, v); p != "" {
				refs[p] = true
			}
		}
	}
	s.mu.Lock()
	rows, err := allRows(s.db, s.macKey, "")
	s.mu.Unlock()
	if err != nil {
		return out, err
	}
	var errs []error
	for _, r := range rows {
		m := r.meta
		if !refs[m.CustomerRef] || m.Status == StatusDeleted {
			continue
		}
		err := s.shred(m.ID, actor, "erasure request (GDPR Art. 17)", actErase, false)
		switch {
		case err == nil:
			out.Shredded = append(out.Shredded, m.ID)
		case errors.Is(err, ErrLegalHold):
			out.Held = append(out.Held, m.ID)
		case errors.Is(err, ErrActive):
			out.Active = append(out.Active, m.ID)
		default:
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}
