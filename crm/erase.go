package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Erased is what Store.Erase removed for one request.
type Erased struct {
	Contacts int
	WrapUps  int
	// Numbers are the erased contacts' E.164 numbers, so the caller can
	// erase what is keyed by them elsewhere (recordings). Never log them.
	Numbers []string
}

// Erase removes every contact matching the number (E.164) or the customer
// id, with their numbers, notes and wrap-ups (GDPR Art. 17). The deleted
// content is overwritten in the file (secure_delete) and the WAL truncated.
func (s *Store) Erase(ctx context.Context, e164, customerID string) (Erased, error) {
	var out Erased
	if s.wrongKey {
		return out, ErrSealed
	}
	var found []Contact
	switch {
	case customerID != "":
		c, err := s.LookupCustomer(ctx, customerID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return out, err
		}
		if err == nil {
			found = append(found, c)
		}
	case e164 != "":
		cs, err := s.LookupNumber(ctx, e164)
		if err != nil {
			return out, err
		}
		found = cs
		out.Numbers = append(out.Numbers, e164)
	default:
		return out, errors.New("erase: a number or a customer id is required")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("crm erase: %w", err)
	}
	defer tx.Rollback()
	for _, c := range found {
		ref := s.idx.customer(c.CustomerID)
		n, err := execCount(ctx, tx, `DELETE FROM wrapups WHERE customer_id = ?`, ref)
		if err != nil {
			return out, fmt.Errorf("crm erase: %w", err)
		}
		out.WrapUps += n
		if _, err := execCount(ctx, tx, `DELETE FROM contacts WHERE customer_id = ?`, ref); err != nil {
			return out, fmt.Errorf("crm erase: %w", err)
		}
		out.Contacts++
		for _, p := range c.Phones {
			if p != e164 {
				out.Numbers = append(out.Numbers, p)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("crm erase: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		s.log.Warn("checkpoint after erasure failed", "err", err)
	}
	return out, nil
}

func execCount(ctx context.Context, tx *sql.Tx, q string, args ...any) (int, error) {
	r, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := r.RowsAffected()
	return int(n), err
}
