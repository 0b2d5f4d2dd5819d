package phone

import (
	"context"
	"fmt"
	"time"

	"softphone/audio"
	"softphone/sip"
)

// callLocked finds a live call; a.mu must be held.
func (a *Agent) callLocked(id string) (*call, error) {
	c, ok := a.calls[id]
	if !ok {
		return nil, fmt.Errorf("call %s: %w", id, ErrNoSuchCall)
	}
	return c, nil
}

// Answer picks up an incoming call. Any other active call is put on hold
// at the same time, in the background and bounded in time (holdTimeout): a
// far end that does not answer our hold re-INVITE must not keep the new
// caller ringing. ctx is not used for the hold, which outlives Answer.
func (a *Agent) Answer(_ context.Context, id string) error {
	a.mu.Lock()
	c, err := a.callLocked(id)
	if err == nil && (c.info.Direction != Incoming || c.info.State != CallIncoming) {
		err = fmt.Errorf("call %s is not ringing", id)
	}
	a.mu.Unlock()
	if err != nil {
		return err
	}
	a.holdOthersAsync(id)
	c.answerOnce.Do(func() { close(c.answered) })
	return nil
}

// Decline rejects an incoming call that has not been answered (603 Decline).
func (a *Agent) Decline(id string) error {
	a.mu.Lock()
	c, err := a.callLocked(id)
	if err == nil && c.info.State != CallIncoming {
		err = fmt.Errorf("call %s is not ringing", id)
	}
	a.mu.Unlock()
	if err != nil {
		return err
	}
	c.cancel(errDeclined)
	return nil
}

// Hangup ends a call in any state: CANCEL while dialing, 603 while ringing
// in, BYE once established. The final CallChanged says when it is over.
func (a *Agent) Hangup(id string) error {
	a.mu.Lock()
	c, err := a.callLocked(id)
	ringing := err == nil && c.info.State == CallIncoming
	a.mu.Unlock()
	if err != nil {
		return err
	}
	if ringing {
		c.cancel(errDeclined)
		return nil
	}
	c.cancel(errLocalHangup)
	return nil
}

// Hold puts a call on hold (on) or resumes it, by re-INVITE (RFC 3264 §8.4):
// we offer sendonly to hold and sendrecv to resume.
func (a *Agent) Hold(ctx context.Context, id string, on bool) error {
	a.mu.Lock()
	c, err := a.callLocked(id)
	var dlgOK bool
	if err == nil {
		dlgOK = c.dialog != nil && c.sess != nil
	}
	a.mu.Unlock()
	if err != nil {
		return err
	}
	if !dlgOK {
		return fmt.Errorf("call %s is not established", id)
	}
	c.opMu.Lock()
	defer c.opMu.Unlock()
	a.mu.Lock()
	dlg, sess := c.dialog, c.sess
	already := c.info.LocalHold == on
	a.mu.Unlock()
	if dlg == nil || sess == nil {
		return fmt.Errorf("call %s: %w", id, ErrNoSuchCall)
	}
	if already {
		return nil
	}
	offer, err := sess.SetHold(on)
	if err != nil {
		return err
	}
	answer, err := dlg.ReInvite(ctx, offer)
	if err != nil {
		sess.SetHold(!on) // the far end kept the old state
		return fmt.Errorf("hold: %w", err)
	}
	if err := sess.SetAnswer(answer); err != nil {
		return fmt.Errorf("hold: %w", err)
	}
	c.update(func(i *CallInfo) {
		i.LocalHold = on
		i.State = holdState(i)
		c.noteCodec(i, sess)
	})
	return nil
}

// holdOthers puts every established call except keep on hold.
func (a *Agent) holdOthers(ctx context.Context, keep string) {
	a.mu.Lock()
	var ids []string
	for id, c := range a.calls {
		if id != keep && c.info.State == CallActive && !c.info.LocalHold {
			ids = append(ids, id)
		}
	}
	a.mu.Unlock()
	for _, id := range ids {
		if err := a.Hold(ctx, id, true); err != nil {
			a.log.Warn("hold before switching call", "call", id, "err", err)
		}
	}
}

// holdTimeout bounds a hold re-INVITE sent because another call was
// answered or dialled.
const holdTimeout = 10 * time.Second

// holdOthersAsync runs holdOthers in the background, bounded by
// holdTimeout; it does not take a.mu, so callers may hold it.
func (a *Agent) holdOthersAsync(keep string) {
	a.wg.Add(1)
	go func() {
		defer a.wg.Done()
		ctx, cancel := context.WithTimeout(a.ctx, holdTimeout)
		defer cancel()
		a.holdOthers(ctx, keep)
	}()
}

// Mute stops (on) or restarts sending the agent's microphone. It is
// applied once, at the call's audio source (lateIO), so it holds from
// before the media session exists to the end of the call, and the
// recorder and the far end get the same silence.
func (a *Agent) Mute(id string, on bool) error {
	a.mu.Lock()
	c, err := a.callLocked(id)
	if err == nil {
		c.io.mute(on)
		c.info.Muted = on
		a.emitLocked(CallChanged{c.info})
	}
	a.mu.Unlock()
	return err
}

// SendDTMF sends digits (0-9 * # A-D) in band as RFC 4733 events, or by SIP
// INFO when the far end did not offer telephone-event.
func (a *Agent) SendDTMF(id, digits string) error {
	for _, d := range digits {
		if !isDTMF(d) {
			return fmt.Errorf("%q is not a DTMF digit", d)
		}
	}
	a.mu.Lock()
	c, err := a.callLocked(id)
	var sess = c.sessOrNil()
	dlg := c.dialogOrNil()
	a.mu.Unlock()
	if err != nil {
		return err
	}
	if sess == nil || dlg == nil {
		return fmt.Errorf("call %s is not established", id)
	}
	if err := sess.SendDTMF(digits); err != nil {
		for _, d := range digits {
			if err := dlg.SendInfoDTMF(d); err != nil {
				return fmt.Errorf("dtmf: %w", err)
			}
		}
	}
	return nil
}

func (c *call) sessOrNil() *audio.Session {
	if c == nil {
		return nil
	}
	return c.sess
}

func (c *call) dialogOrNil() *sip.Dialog {
	if c == nil {
		return nil
	}
	return c.dialog
}

func isDTMF(r rune) bool {
	return (r >= '0' && r <= '9') || r == '*' || r == '#' || (r >= 'A' && r <= 'D')
}

// Transfer hands an established call to target (blind transfer, RFC 3515
// REFER) and ends our leg once the far end accepts.
func (a *Agent) Transfer(ctx context.Context, id, target string) error {
	uri, err := TargetURI(target, a.Settings().Account.Domain)
	if err != nil {
		return err
	}
	a.mu.Lock()
	c, err := a.callLocked(id)
	dlg := c.dialogOrNil()
	a.mu.Unlock()
	if err != nil {
		return err
	}
	if dlg == nil {
		return fmt.Errorf("call %s is not established", id)
	}
	c.opMu.Lock()
	defer c.opMu.Unlock()
	if err := dlg.Refer(ctx, uri); err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	c.cancel(errTransferred)
	return nil
}
