package sip

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// serverAddr is the "ip:port" (or configured "host:port") every request
// goes to: the target we registered at.
func (u *UA) serverAddr() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.target.addr == "" && len(u.cfg.Servers) > 0 {
		return u.cfg.Servers[0]
	}
	return u.target.addr
}

// Target returns the "ip:port" (or configured "host:port") of the server
// the UA registers at now; "" before the first registration when the
// servers come from DNS SRV.
func (u *UA) Target() string { return u.serverAddr() }

// registerAnyLocked resolves the targets afresh and registers at the first
// that accepts, most preferred first, starting no later than index from
// (from 0 tries all). A target failing by transport, TLS, timeout or 503
// passes the turn to the next; any other answer (a wrong password, say)
// ends the attempt. Caller holds regMu.
func (u *UA) registerAnyLocked(ctx context.Context, upTo int) (time.Duration, error) {
	tgts, err := u.resolveTargets(ctx)
	if err != nil {
		return 0, err
	}
	if upTo <= 0 || upTo > len(tgts) {
		upTo = len(tgts)
	}
	var errs []error
	for i, tgt := range tgts[:upTo] {
		tctx, cancel := context.WithTimeout(ctx, u.cfg.TargetTimeout)
		g, err := u.registerAtLocked(tctx, tgt, u.cfg.Expires)
		cancel()
		if err == nil {
			u.mu.Lock()
			moved := u.targetIdx != i
			u.targetIdx = i
			u.mu.Unlock()
			if moved || i > 0 {
				u.log.Info("registered at server", "target", tgt.addr, "rank", i, "srv", tgt.srv)
			}
			return g, nil
		}
		if errors.Is(ctx.Err(), context.Canceled) {
			return 0, ctx.Err()
		}
		if ctx.Err() != nil {
			return 0, err // the caller's deadline: no time for the others
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (%s): no answer within %v", ErrUnreachable, tgt.addr, u.cfg.TargetTimeout)
		}
		u.log.Info("server failed; trying the next", "target", tgt.addr, "rank", i, "error", err)
		if !failoverWorthy(err) {
			return 0, err
		}
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return 0, errs[0]
	}
	return 0, errors.Join(errs...)
}

// failBack tries the targets preferred to the current one; when one
// accepts, the UA moves there. It returns the new lifetime, or 0 when it
// stays where it is.
func (u *UA) failBack() time.Duration {
	u.mu.Lock()
	idx := u.targetIdx
	u.mu.Unlock()
	if idx == 0 {
		return 0
	}
	ctx, cancel := context.WithTimeout(u.ctx, time.Duration(idx)*u.cfg.TargetTimeout+u.cfg.TargetTimeout)
	defer cancel()
	u.regMu.Lock()
	defer u.regMu.Unlock()
	g, err := u.registerAnyLocked(ctx, idx)
	if err != nil {
		u.log.Debug("preferred servers still failing", "error", err)
		return 0
	}
	return g
}
