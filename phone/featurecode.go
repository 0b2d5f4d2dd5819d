package phone

import (
	"context"
	"time"
)

// featureCallTimeout bounds a feature-code call from dialling to hangup.
const featureCallTimeout = 10 * time.Second

// featureCallLocked dials a PBX feature code (queue pause or unpause) in
// the background and hangs up as soon as the PBX answers, or gives up
// after featureCallTimeout. a.mu is held.
func (a *Agent) featureCallLocked(code string) {
	if a.closed || a.ua == nil {
		a.log.Warn("feature code not dialled: not registered", "code", code)
		return
	}
	uri, err := TargetURI(code, a.cfg.Settings.Account.Domain)
	if err != nil {
		a.log.Warn("feature code", "code", code, "err", err)
		return
	}
	c := a.newCallLocked(Outgoing, uri, code, "", true)
	a.wg.Add(2)
	go c.runOutgoing(a.ua, uri)
	go func() {
		defer a.wg.Done()
		a.endFeatureCall(c)
	}()
}

// endFeatureCall hangs up c once it is answered (the PBX has taken the
// code) or when featureCallTimeout has passed.
func (a *Agent) endFeatureCall(c *call) {
	t := time.NewTimer(featureCallTimeout)
	defer t.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
			c.cancel(context.DeadlineExceeded)
			return
		case <-tick.C:
			a.mu.Lock()
			up := c.info.State == CallActive
			a.mu.Unlock()
			if up {
				c.cancel(errLocalHangup)
				return
			}
		}
	}
}
