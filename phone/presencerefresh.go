package phone

import (
	"context"
	"time"

	"softphone/sip"
)

// Keeping presence alive: publications are refreshed (RFC 3903 §4.4)
// and subscriptions refreshed in their dialog (RFC 6665 §4.1.2.1) before
// they expire; a terminated subscription, a refused refresh or a
// re-registration (a new flow) makes a fresh SUBSCRIBE and a full PUBLISH.

// presenceRetry is the wait before retrying a failed publication or
// subscription (doubling up to presenceRetryMax).
const (
	presenceRetry    = 2 * time.Second
	presenceRetryMax = time.Minute
)

// presenceExpires is the lifetime asked for publications and subscriptions.
func (a *Agent) presenceExpires() time.Duration {
	if a.cfg.PresenceExpires > 0 {
		return a.cfg.PresenceExpires
	}
	return defaultPresenceExpires
}

// presenceReregistered re-subscribes every watch and republishes in full
// after the registration came back.
func (a *Agent) presenceReregistered() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.presence.rereg == nil {
		return
	}
	close(a.presence.rereg)
	a.presence.rereg = make(chan struct{})
	a.presence.note, a.presence.dialog = "", DialogUnknown // publish both afresh
	a.kickPresenceLocked()
}

// publishPresence publishes whenever kicked (the latest state only) and
// refreshes the publications before they expire.
func (a *Agent) publishPresence(ua *sip.UA, kick <-chan struct{}) {
	defer a.wg.Done()
	refresh := time.NewTimer(time.Hour)
	defer refresh.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-kick:
		case <-refresh.C:
			a.refreshPublications(ua)
		}
		ok := a.publishChanged(ua)
		next := presenceRetry
		if g := min(a.presence.pres.Granted(), a.presence.dlg.Granted()); ok && g > 0 {
			next = sip.RefreshAfter(g)
		}
		refresh.Reset(next) // Go 1.23+: Reset leaves no stale tick to drain
	}
}

// refreshPublications extends both publications; one the server forgot
// (or that failed) is marked unpublished so publishChanged sends it whole.
func (a *Agent) refreshPublications(ua *sip.UA) {
	ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
	defer cancel()
	exp := a.presenceExpires()
	if err := ua.RefreshPublication(ctx, &a.presence.pres, "presence", exp); err != nil {
		a.log.Info("refresh presence publication", "err", err)
		a.mu.Lock()
		a.presence.note = ""
		a.mu.Unlock()
	}
	if err := ua.RefreshPublication(ctx, &a.presence.dlg, "dialog", exp); err != nil {
		a.log.Info("refresh dialog publication", "err", err)
		a.mu.Lock()
		a.presence.dialog = DialogUnknown
		a.mu.Unlock()
	}
}

// publishChanged publishes what changed since the last publication;
// false if a PUBLISH failed (it is retried soon).
func (a *Agent) publishChanged(ua *sip.UA) bool {
	a.mu.Lock()
	note, open := a.work.status.State.String(), a.work.status.State == AgentAvailable
	dlg := a.dialogStateLocked()
	pubNote, pubDlg := a.presence.note != note, a.presence.dialog != dlg
	a.presence.note, a.presence.dialog = note, dlg
	entity := "sip:" + a.cfg.Settings.Account.User + "@" + a.cfg.Settings.Account.Domain
	a.mu.Unlock()
	ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
	defer cancel()
	ok := true
	if pubNote {
		if err := ua.Publish(ctx, &a.presence.pres, "presence", "application/pidf+xml", pidf(entity, open, note), a.presenceExpires()); err != nil {
			a.log.Warn("publish presence", "err", err)
			a.forgetPublished(func() { a.presence.note = "" })
			ok = false
		}
	}
	if pubDlg {
		if err := ua.Publish(ctx, &a.presence.dlg, "dialog", "application/dialog-info+xml", dialogInfo(entity, dlg), a.presenceExpires()); err != nil {
			a.log.Warn("publish dialog state", "err", err)
			a.forgetPublished(func() { a.presence.dialog = DialogUnknown })
			ok = false
		}
	}
	return ok
}

func (a *Agent) forgetPublished(f func()) {
	a.mu.Lock()
	f()
	a.mu.Unlock()
}

// watchColleague keeps a colleague's presence and dialog state
// subscribed and reports changes as ColleagueChanged.
func (a *Agent) watchColleague(ua *sip.UA, user string) {
	defer a.wg.Done()
	target, err := TargetURI(user, a.cfg.Settings.Account.Domain)
	if err != nil {
		a.log.Warn("colleague", "err", err)
		return
	}
	name := numberOf(target)
	for _, ev := range []struct{ event, accept string }{
		{"presence", "application/pidf+xml"},
		{"dialog", "application/dialog-info+xml"},
	} {
		a.wg.Add(1)
		go a.keepSubscribed(ua, target, name, ev.event, ev.accept)
	}
}

// keepSubscribed subscribes to one event package of target until the
// agent ends, subscribing again whenever the subscription is lost.
func (a *Agent) keepSubscribed(ua *sip.UA, target, name, event, accept string) {
	defer a.wg.Done()
	for failures := 0; a.ctx.Err() == nil; {
		a.mu.Lock()
		rereg := a.presence.rereg
		a.mu.Unlock()
		ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
		s, err := ua.Subscribe(ctx, target, event, accept, a.presenceExpires(), func(n sip.Notification) {
			a.colleagueNotified(name, n)
		})
		cancel()
		if err != nil {
			a.log.Warn("subscribe to colleague", "event", event, "err", err)
			wait := min(presenceRetry<<min(failures, 6), presenceRetryMax)
			failures++
			select {
			case <-a.ctx.Done():
			case <-rereg:
			case <-time.After(wait):
			}
			continue
		}
		failures = 0
		a.holdSubscription(s, event, rereg)
		s.Close()
	}
}

// holdSubscription refreshes s before it expires; it returns when s is
// lost, at a re-registration or when the agent ends.
func (a *Agent) holdSubscription(s *sip.Subscription, event string, rereg <-chan struct{}) {
	t := time.NewTimer(sip.RefreshAfter(s.Granted()))
	defer t.Stop()
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-rereg:
			return
		case <-s.Ended():
			a.log.Info("colleague subscription terminated; subscribing again", "event", event)
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
			err := s.Refresh(ctx, a.presenceExpires())
			cancel()
			if err != nil {
				a.log.Info("refresh colleague subscription", "event", event, "err", err)
				return
			}
			t.Reset(sip.RefreshAfter(s.Granted()))
		}
	}
}
