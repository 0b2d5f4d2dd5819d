package central

import (
	"context"
	"errors"
	"fmt"

	"softphone/internal/s3store"
	"softphone/recording"
)

// versions lists every version of every object of a recording.
func (r *Reviewer) versions(ctx context.Context, it Item) ([]s3store.ObjectInfo, error) {
	objs, err := r.cfg.Store.List(ctx, recPrefix(it.Day, it.ID()), true)
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("%s: %w", it.ID(), ErrNotFound)
	}
	return objs, nil
}

// Hold puts every object version of a recording under S3 legal hold (on),
// or lifts it. The role needs the hold permission and a reason.
func (r *Reviewer) Hold(ctx context.Context, id, reason string, on bool) error {
	if err := r.cfg.Permits.Permit(r.cfg.Role, recording.PermHold); err != nil {
		return err
	}
	if reason == "" {
		return ErrReasonRequired
	}
	it, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	objs, err := r.versions(ctx, it)
	if err != nil {
		return err
	}
	for _, o := range objs {
		if err := r.cfg.Store.SetLegalHold(ctx, o.Key, o.VersionID, on); err != nil {
			return fmt.Errorf("legal hold on %s: %w", id, err)
		}
	}
	act := actHold
	if !on {
		act = actRelease
	}
	return r.cfg.Auditor.Record(act, r.cfg.Actor, map[string]string{"recording": id, "reason": reason, "source": "central"})
}

// Held reports whether any object version of the recording is under legal hold.
func (r *Reviewer) Held(ctx context.Context, id string) (bool, error) {
	it, err := r.Get(ctx, id)
	if err != nil {
		return false, err
	}
	objs, err := r.versions(ctx, it)
	if err != nil {
		return false, err
	}
	for _, o := range objs {
		held, err := r.cfg.Store.LegalHold(ctx, o.Key, o.VersionID)
		if err != nil {
			return false, err
		}
		if held {
			return true, nil
		}
	}
	return false, nil
}

// Delete removes every version of every object of a recording for good.
// The client refuses while any version is under legal hold (ErrLegalHold);
// the store itself refuses under legal hold or COMPLIANCE retention
// (ErrRetained). GOVERNANCE retention is bypassed: the role has the delete
// permission. The deletion is audited, also when the store refused part of it.
func (r *Reviewer) Delete(ctx context.Context, id, reason string) error {
	if err := r.cfg.Permits.Permit(r.cfg.Role, recording.PermDelete); err != nil {
		return err
	}
	if reason == "" {
		return ErrReasonRequired
	}
	held, err := r.Held(ctx, id)
	if err != nil {
		return err
	}
	if held {
		return fmt.Errorf("delete %s: %w", id, ErrLegalHold)
	}
	it, err := r.Get(ctx, id)
	if err != nil {
		return err
	}
	objs, err := r.versions(ctx, it)
	if err != nil {
		return err
	}
	var errs []error
	removed := 0
	for _, o := range objs {
		if err := r.cfg.Store.RemoveVersion(ctx, o.Key, o.VersionID, true); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	err = errors.Join(errs...)
	status := "deleted"
	if err != nil {
		status = "refused by the store"
	}
	aerr := r.cfg.Auditor.Record(actDelete, r.cfg.Actor, map[string]string{
		"recording": id, "reason": reason, "source": "central", "status": status, "objects_removed": fmt.Sprint(removed)})
	if err != nil {
		return errors.Join(fmt.Errorf("delete %s: %w", id, err), aerr)
	}
	return aerr
}
