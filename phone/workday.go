package phone

import (
	"slices"
	"time"
)

// The agent state machine: Available, Not ready (with a reason code) and
// after-call work (ACW) with a countdown that can be extended once, ended
// early (with a wrap-up code when policy requires one) and returns to
// Available on its own.

// agentWork is the agent state; guarded by Agent.mu.
type agentWork struct {
	status AgentStatus
	timer  *time.Timer // ACW countdown; nil outside ACW
	gen    int         // bumped on every change; a stale timer sees another gen
}

func (w *agentWork) stopTimerLocked() {
	if w.timer != nil {
		w.timer.Stop()
		w.timer = nil
	}
}

// workday returns the policy in force.
func (a *Agent) workday() WorkdayPolicy {
	if a.cfg.Workday != nil {
		return a.cfg.Workday
	}
	return WorkdayFromConfig(a.cfg.Settings.Workday)
}

// AgentStatus returns the agent's state now.
func (a *Agent) AgentStatus() AgentStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.work.status
}

// NotReadyReasons are the reason codes the agent may pick.
func (a *Agent) NotReadyReasons() []string { return a.workday().NotReadyReasons() }

// SetAgentState changes the agent's state: Available (ends ACW, which may
// need a wrap-up code first), NotReady with one of NotReadyReasons, or
// AfterCall (starts after-call work by hand).
func (a *Agent) SetAgentState(st AgentState, reason string) error {
	pol := a.workday()
	a.mu.Lock()
	defer a.mu.Unlock()
	cur := a.work.status
	next := AgentStatus{State: st, Since: time.Now(), Cause: "agent"}
	switch st {
	case AgentAvailable:
		if cur.State == AgentAfterCall && cur.WrapUpRequired && cur.WrapUp == "" {
			return ErrWrapUpRequired
		}
	case AgentNotReady:
		if !slices.Contains(pol.NotReadyReasons(), reason) {
			return ErrUnknownReason
		}
		next.Reason = reason
	case AgentAfterCall:
		if cur.State == AgentAfterCall {
			return nil
		}
		a.startACWLocked(pol, "agent")
		return nil
	default:
		return ErrUnknownReason
	}
	if cur.State == st && cur.Reason == next.Reason {
		return nil
	}
	a.setWorkLocked(next)
	return nil
}

// ExtendACW adds another after-call-work period to the countdown, once.
func (a *Agent) ExtendACW() error {
	pol := a.workday()
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.work.status
	if s.State != AgentAfterCall {
		return ErrNotInACW
	}
	if s.Extended {
		return ErrACWExtended
	}
	base := s.ACWEnds
	if now := time.Now(); base.Before(now) {
		base = now
	}
	s.ACWEnds, s.Extended, s.Cause = base.Add(pol.AfterCallWork()), true, "agent"
	a.setWorkLocked(s)
	a.armACWLocked(time.Until(s.ACWEnds))
	return nil
}

// SetWrapUp records the wrap-up code of the after-call work; with one
// given, ACW may end (early, or when the countdown has run out).
func (a *Agent) SetWrapUp(code string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.work.status
	if s.State != AgentAfterCall {
		return ErrNotInACW
	}
	s.WrapUp, s.Cause = code, "agent"
	a.setWorkLocked(s)
	if left := time.Until(s.ACWEnds); left > 0 {
		a.armACWLocked(left) // setWorkLocked retired the running countdown
	} else if code != "" {
		a.endACWLocked("acw_timeout") // overdue: the code was all it waited for
	}
	return nil
}

// startACWLocked enters after-call work for the policy's time (nothing
// when it is 0 and the change comes from a call's end).
func (a *Agent) startACWLocked(pol WorkdayPolicy, cause string) {
	d := pol.AfterCallWork()
	now := time.Now()
	a.setWorkLocked(AgentStatus{State: AgentAfterCall, Since: now, ACWEnds: now.Add(d),
		WrapUpRequired: pol.WrapUpRequired(), Cause: cause})
	a.armACWLocked(d)
}

// armACWLocked (re)starts the ACW countdown.
func (a *Agent) armACWLocked(d time.Duration) {
	a.work.stopTimerLocked()
	gen := a.work.gen
	a.work.timer = time.AfterFunc(d, func() { a.acwExpired(gen) })
}

// acwExpired returns to Available when the countdown of generation gen
// runs out, unless a required wrap-up code is missing (then ACW stays,
// overdue, until the code is given).
func (a *Agent) acwExpired(gen int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.work.status
	if a.closed || a.work.gen != gen || s.State != AgentAfterCall {
		return
	}
	if s.WrapUpRequired && s.WrapUp == "" {
		return
	}
	a.endACWLocked("acw_timeout")
}

func (a *Agent) endACWLocked(cause string) {
	a.setWorkLocked(AgentStatus{State: AgentAvailable, Since: time.Now(), Cause: cause})
}

// callEndedLocked starts after-call work when an answered call ends while
// the agent is available (a.mu held).
func (a *Agent) callEndedLocked(info CallInfo) {
	if info.Answered.IsZero() || info.Feature || a.closed || a.work.status.State != AgentAvailable {
		return
	}
	if pol := a.workday(); pol.AfterCallWork() > 0 {
		a.startACWLocked(pol, "call_ended")
	}
}

// refuseLocked says whether an incoming call must be refused because the
// agent is not available, and with which status.
func (a *Agent) refuseLocked() (code int, reason string, refuse bool) {
	if a.work.status.State == AgentAvailable {
		return 0, "", false
	}
	code, reason = a.workday().RefuseWith().response()
	return code, reason, true
}

// setWorkLocked makes s the agent state, audits the change and emits it.
func (a *Agent) setWorkLocked(s AgentStatus) {
	prev := a.work.status
	a.work.gen++
	if s.State != AgentAfterCall {
		a.work.stopTimerLocked()
	}
	a.work.status = s
	a.emitLocked(AgentStateChanged{s})
	a.kickPresenceLocked()
	if was, is := prev.State == AgentAvailable, s.State == AgentAvailable; was != is {
		pause, unpause := a.workday().FeatureCodes()
		if code := map[bool]string{false: pause, true: unpause}[is]; code != "" {
			a.featureCallLocked(code)
		}
	}
	a.log.Info("agent state", "state", s.State, "reason", s.Reason, "cause", s.Cause)
	if a.cfg.Auditor == nil {
		return
	}
	attrs := map[string]string{"from": prev.State.String(), "to": s.State.String(), "cause": s.Cause,
		"previous_for": formatSeconds(s.Since.Sub(prev.Since))}
	if s.Reason != "" {
		attrs["reason"] = s.Reason
	}
	if s.WrapUp != "" {
		attrs["wrap_up"] = s.WrapUp
	}
	if s.Extended && !prev.Extended {
		attrs["extended"] = "true"
	}
	actor := a.login.Profile
	if actor == "" {
		actor = "sip:" + a.cfg.Settings.Account.User // headless without a profile (tests, automation)
	}
	if err := a.cfg.Auditor.Record("agent_state", actor, attrs); err != nil {
		a.log.Warn("audit agent state", "err", err)
	}
}

func formatSeconds(d time.Duration) string { return d.Round(time.Second).String() }
