package phone

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// audioBackTimeout bounds how long a moved call waits for the far end's
// audio before it gives up waiting (the call goes on; the agent hears
// whether it works).
const audioBackTimeout = 10 * time.Second

// moveTo moves an established call to the local address to: the media
// session advertises it, a re-INVITE tells the far end, and the call
// shows "reconnecting" until audio arrives again. It runs on its own
// goroutine (counted in the agent's WaitGroup by the caller); the
// re-INVITE is serialised with hold and transfer by opMu.
func (c *call) moveTo(to netip.Addr, since time.Time) {
	defer c.a.wg.Done()
	if !c.reinviteAt(to) {
		c.update(func(i *CallInfo) { i.Link = LinkUp })
		return
	}
	c.a.mu.Lock()
	sess := c.sess
	c.a.mu.Unlock()
	if sess == nil {
		return
	}
	base := sess.Stats().PacketsReceived
	deadline := time.Now().Add(audioBackTimeout)
	for time.Now().Before(deadline) && c.ctx.Err() == nil {
		if sess.Stats().PacketsReceived > base {
			c.a.log.Info("audio back after address change", "call", c.id, "after", time.Since(since).Round(time.Millisecond))
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.update(func(i *CallInfo) { i.Link = LinkUp })
}

// reinviteAt relocates the media session to to and re-INVITEs the far
// end (three tries); false when the call could not be moved.
func (c *call) reinviteAt(to netip.Addr) bool {
	c.opMu.Lock()
	defer c.opMu.Unlock()
	c.a.mu.Lock()
	dlg, sess := c.dialog, c.sess
	c.a.mu.Unlock()
	if dlg == nil || sess == nil {
		return false
	}
	if err := sess.Relocate(to); err != nil {
		c.a.log.Warn("media cannot follow the new address", "call", c.id, "err", err)
		return false
	}
	var err error
	for attempt := 0; attempt < 3 && c.ctx.Err() == nil; attempt++ {
		if err = c.reoffer(); err == nil {
			break
		}
		c.a.log.Info("re-INVITE after address change failed", "call", c.id, "attempt", attempt+1, "err", err)
		select {
		case <-c.ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
	return err == nil
}

// reoffer sends a re-INVITE with a fresh offer (the new address) and
// applies the answer.
func (c *call) reoffer() error {
	c.a.mu.Lock()
	dlg, sess := c.dialog, c.sess
	c.a.mu.Unlock()
	if dlg == nil || sess == nil {
		return errors.New("call ended")
	}
	offer, err := sess.Offer()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.ctx, 5*time.Second)
	defer cancel()
	answer, err := dlg.ReInvite(ctx, offer)
	if err != nil {
		return err
	}
	return sess.SetAnswer(answer)
}
