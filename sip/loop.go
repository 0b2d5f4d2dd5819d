package sip

import (
	"context"
	"errors"
	"time"
)

// flowCheckInterval is how often the loop looks whether the connection is
// still in sipgo's pool (cheap; no network traffic), whether a keep-alive
// went unanswered, and whether the machine slept.
const flowCheckInterval = time.Second

// resumeGap is how much longer than flowCheckInterval a tick may come
// before the loop takes it for a sleep (or a stopped process) and
// registers on a new flow: the NAT mapping and the server's view of the
// flow are likely gone.
const resumeGap = 3 * time.Second

// ErrResumed is the reason given to OnRegistration when the UA registers
// anew after the machine slept (the clock jumped).
var ErrResumed = errors.New("resumed after a pause; registering anew")

// ErrNoPong is the reason given when a keep-alive went unanswered.
var ErrNoPong = errors.New("keep-alive not answered; registering on a new connection")

// keepRegistered is the background loop started by the first successful
// Register. It ends when the UA closes.
func (u *UA) keepRegistered(granted time.Duration) {
	defer u.wg.Done()
	refresh := time.NewTimer(refreshAfter(granted))
	defer refresh.Stop()
	check := time.NewTicker(flowCheckInterval)
	defer check.Stop()
	failBack := time.NewTicker(u.cfg.FailBack)
	defer failBack.Stop()
	var keepAlive <-chan time.Time
	if u.cfg.KeepAlive > 0 && u.transport != "UDP" {
		t := time.NewTicker(u.cfg.KeepAlive)
		defer t.Stop()
		keepAlive = t.C
	}
	ping := pingState{timeout: u.cfg.PongTimeout}
	last := time.Now()
	// again re-registers on a new flow after a failure; false: closed.
	again := func(why error) bool {
		ping.reset()
		u.setState(StateRetrying, why)
		g := u.retry()
		if g == 0 {
			return false
		}
		u.setState(StateRegistered, nil)
		refresh.Reset(refreshAfter(g))
		return true
	}
	for {
		select {
		case <-u.ctx.Done():
			return
		case g := <-u.kick:
			ping.reset()
			refresh.Reset(refreshAfter(g))
		case <-refresh.C:
			g, err := u.refresh()
			if err != nil {
				if !again(err) {
					return
				}
				continue
			}
			u.setState(StateRegistered, nil)
			refresh.Reset(refreshAfter(g))
		case <-check.C:
			var why error
			last, why = u.flowProblem(last, &ping)
			if why == nil {
				continue
			}
			u.setState(StateRetrying, why)
			u.dropFlow()
			if g, err := u.registerNow(); err == nil {
				ping.reset()
				u.setState(StateRegistered, nil)
				refresh.Reset(refreshAfter(g))
				continue
			}
			if !again(why) {
				return
			}
		case <-keepAlive:
			if err := u.sendKeepAlive(); err != nil {
				u.log.Info("keep-alive failed", "error", err)
				ping.failed = true // dead at the next check
				continue
			}
			if ping.sent.IsZero() {
				ping.sent = time.Now()
			}
		case <-failBack.C:
			if g := u.failBack(); g > 0 {
				u.setState(StateRegistered, nil)
				refresh.Reset(refreshAfter(g))
			}
		}
	}
}

// flowProblem is the loop's once-a-second look at the flow: nil when all
// is well, else why to register anew on a new flow — the clock jumped (the
// machine slept, the process was stopped), the connection closed, or a
// keep-alive went unanswered. It returns the time of this look.
func (u *UA) flowProblem(last time.Time, ping *pingState) (time.Time, error) {
	// Not the tick's own time: a tick that fell due during a pause
	// carries the time it was due, before the pause.
	now := time.Now()
	gap := now.Sub(last) // monotonic: a stopped process
	if wall := now.Round(0).Sub(last.Round(0)); wall > gap {
		gap = wall // wall clock: a suspended machine
	}
	if gap > flowCheckInterval+resumeGap {
		u.log.Info("clock jumped; re-registering on a new connection", "gap", gap.Round(time.Millisecond))
		return now, ErrResumed
	}
	// A registration in flight (Reconnect, a refresh) is changing the flow:
	// look again at the next tick.
	if !u.regMu.TryLock() {
		return now, nil
	}
	defer u.regMu.Unlock()
	switch {
	case !u.flowAlive():
		u.log.Info("connection to SIP server lost; re-registering")
		return now, ErrConnectionLost
	case ping.dead(now, u.flowRx.Load()):
		u.log.Info("keep-alive not answered; re-registering", "timeout", u.cfg.PongTimeout)
		return now, ErrNoPong
	}
	return now, nil
}

// registerNow registers at once on a new flow, at the most preferred
// target that answers.
func (u *UA) registerNow() (time.Duration, error) {
	ctx, cancel := context.WithTimeout(u.ctx, 32*time.Second)
	defer cancel()
	u.regMu.Lock()
	defer u.regMu.Unlock()
	return u.registerAnyLocked(ctx, 0)
}

// refresh re-sends REGISTER with the configured lifetime at the current
// target; when that target fails by transport it moves to the others.
func (u *UA) refresh() (time.Duration, error) {
	ctx, cancel := context.WithTimeout(u.ctx, 32*time.Second)
	defer cancel()
	u.regMu.Lock()
	defer u.regMu.Unlock()
	tctx, tcancel := context.WithTimeout(ctx, u.cfg.TargetTimeout)
	g, err := u.registerLocked(tctx, u.cfg.Expires)
	tcancel()
	if err == nil || !failoverWorthy(err) && !errors.Is(err, context.DeadlineExceeded) {
		return g, err
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	return u.registerAnyLocked(ctx, 0)
}

// retry re-registers with back-off until it works or the UA closes (then
// it returns 0).
func (u *UA) retry() time.Duration {
	for n := 0; ; n++ {
		t := time.NewTimer(backoff(n, u.cfg.RetryMax))
		select {
		case <-u.ctx.Done():
			t.Stop()
			return 0
		case <-t.C:
		}
		g, err := u.registerNow()
		if err == nil {
			return g
		}
		if u.ctx.Err() != nil {
			return 0
		}
		u.setState(StateRetrying, err)
	}
}

// Reconnect drops the registered connection and registers at once on a
// new one (at the most preferred target that answers): the phone calls it
// when the machine's address changed, so that the server reaches us at
// the new one. It returns when the REGISTER was answered.
func (u *UA) Reconnect(ctx context.Context) error {
	if u.ctx.Err() != nil {
		return ErrClosed
	}
	u.dropFlow()
	u.regMu.Lock()
	g, err := u.registerAnyLocked(ctx, 0)
	u.regMu.Unlock()
	if err != nil {
		u.setState(StateRetrying, err)
		return err
	}
	u.setState(StateRegistered, nil)
	select {
	case u.kick <- g:
	default:
	}
	return nil
}
