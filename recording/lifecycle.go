package recording

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// Flag marks a recording for review. Agents may flag their own recordings.
func (s *Store) Flag(actor string, role Role, id, reason string) error {
	if err := s.permit(actor, role, PermFlag, id); err != nil {
		return err
	}
	return s.flag(actor, id, reason, !s.allows(role, PermListAll))
}

func (s *Store) flag(actor, id, reason string, ownOnly bool) error {
	if reason == "" {
		return ErrReasonRequired
	}
	_, err := s.update(id, func(m *Meta, _ *[]byte) error {
		if ownOnly && m.Owner != actor {
			return ErrPermission
		}
		if m.Status == StatusDeleted {
			return ErrDeleted
		}
		m.Flags = append(m.Flags, FlagEntry{By: actor, Reason: reason, At: s.now()})
		return nil
	})
	if err != nil {
		return fmt.Errorf("flag %s: %w", id, err)
	}
	return s.audit(actFlag, actor, map[string]string{"recording": id, "reason": reason})
}

// Hold puts a recording under legal hold (admin, DPO): it cannot be
// deleted, by anyone or by retention, until released.
func (s *Store) Hold(actor string, role Role, id, reason string) error {
	return s.setHold(actor, role, id, reason, true)
}

// Release lifts a legal hold (admin, DPO).
func (s *Store) Release(actor string, role Role, id, reason string) error {
	return s.setHold(actor, role, id, reason, false)
}

func (s *Store) setHold(actor string, role Role, id, reason string, on bool) error {
	if err := s.permit(actor, role, PermHold, id); err != nil {
		return err
	}
	if reason == "" {
		return ErrReasonRequired
	}
	_, err := s.update(id, func(m *Meta, _ *[]byte) error {
		if m.Status == StatusDeleted {
			return ErrDeleted
		}
		if on {
			m.Hold = &HoldInfo{By: actor, Reason: reason, At: s.now()}
		} else {
			m.Hold = nil
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("hold %s: %w", id, err)
	}
	act := actHold
	if !on {
		act = actRelease
	}
	return s.audit(act, actor, map[string]string{"recording": id, "reason": reason})
}

// Delete crypto-shreds a recording (admin, DPO): its wrapped key is
// destroyed, its files removed, its index entry reduced to a tombstone.
// Refused while under legal hold or while the call is still recording.
func (s *Store) Delete(actor string, role Role, id string) error {
	if err := s.permit(actor, role, PermDelete, id); err != nil {
		return err
	}
	return s.shred(id, actor, "deleted by "+string(role), actDelete, false)
}

// shred destroys the key material first (so the audio is unreadable even if
// removing files fails), then the files.
func (s *Store) shred(id, actor, reason, action string, fromRecorder bool) error {
	s.mu.Lock()
	if _, live := s.active[id]; live && !fromRecorder {
		s.mu.Unlock()
		return fmt.Errorf("delete %s: %w", id, ErrActive)
	}
	r, err := getRow(s.db, s.macKey, id)
	if err == nil || errors.Is(err, ErrTampered) {
		switch {
		case r.meta.Status == StatusDeleted:
			err = ErrDeleted
		case r.meta.OnHold():
			err = ErrLegalHold
		case errors.Is(err, ErrTampered) && r.meta.Hold != nil:
			err = ErrLegalHold
		default:
			m := r.meta
			err = putRow(s.db, s.macKey, row{meta: Meta{
				ID: m.ID, CallID: m.CallID, Owner: m.Owner, Direction: m.Direction,
				Started: m.Started, Ended: m.Ended, Duration: m.Duration, RetainUntil: m.RetainUntil,
				Status: StatusDeleted, Deleted: &Deletion{By: actor, Reason: reason, At: s.now()},
			}})
			if err == nil {
				// Push the page without the key out of the WAL into the main file
				// (secure_delete zeroes the old content) and truncate the WAL.
				if _, cerr := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); cerr != nil {
					s.log.Warn("index checkpoint after delete failed", "err", cerr)
				}
			}
		}
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("delete %s: %w", id, err)
	}
	rmErr := os.RemoveAll(s.recDir(id))
	aErr := s.audit(action, actor, map[string]string{"recording": id, "reason": reason})
	if rmErr != nil {
		rmErr = fmt.Errorf("remove files of %s (key already destroyed): %w", id, rmErr)
	}
	return errors.Join(rmErr, aErr)
}

// Sweep deletes every recording whose retention date is at or before now and
// which is not on hold or in progress. It returns how many it deleted.
func (s *Store) Sweep(now time.Time) (int, error) {
	s.mu.Lock()
	rows, err := allRows(s.db, s.macKey, `WHERE status IN (?, ?) AND hold = 0 AND retain_until <= ?`,
		int(StatusComplete), int(StatusIncomplete), now.UnixNano())
	s.mu.Unlock()
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, r := range rows {
		m := r.meta
		if m.Tampered || m.OnHold() || m.RetainUntil.After(now) {
			s.log.Warn("retention sweep skipped a recording that failed its integrity check", "recording", m.ID)
			continue
		}
		err := s.shred(m.ID, "system:retention", "retention period ended", actRetain, false)
		if err != nil {
			if !errors.Is(err, ErrLegalHold) && !errors.Is(err, ErrActive) {
				errs = append(errs, err)
			}
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
