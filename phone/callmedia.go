package phone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"softphone/audio"
	"softphone/sip"
	"time"
)

// A call's life once media flows, and its one way to end.

// media runs an established call until it ends and returns why it ended.
func (c *call) media(dlg *sip.Dialog, sess *audio.Session) error {
	suite, _ := sess.Negotiated()
	codec, rate := sess.Codec()
	c.a.mu.Lock()
	c.dialog, c.sess = dlg, sess
	c.info.State = CallActive
	c.info.SRTP, c.info.Codec, c.info.SampleRate = suite, codec, rate
	c.info.Answered = time.Now()
	c.a.emitLocked(CallChanged{c.info})
	c.a.kickPresenceLocked()
	c.a.mu.Unlock()

	dlg.OnReInvite(func(offer []byte) ([]byte, error) {
		answer, err := sess.Answer(offer)
		if err != nil {
			return nil, err
		}
		held := remoteHolds(offer)
		c.update(func(i *CallInfo) {
			i.RemoteHold = held
			i.State = holdState(i)
			c.noteCodec(i, sess)
		})
		return answer, nil
	})
	dlg.OnInfoDTMF(func(d rune) {
		c.tap.dtmf(d)
		c.a.hub.publish(DTMFReceived{CallID: c.id, Digit: d})
	})
	c.startRecording()
	defer c.stopRecording()

	runCtx, stop := context.WithCancel(c.ctx)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- sess.Run(runCtx) }()

	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastLatencyLog := time.Now().Add(5*time.Second - latencyLogEvery) // first account after 5 s
	var reason error
	for reason == nil {
		select {
		case <-dlg.Done():
			reason = errors.New(dlg.Reason())
		case <-c.ctx.Done():
			reason = context.Cause(c.ctx)
			c.bye(dlg)
		case err := <-errc:
			errc <- err // put back for the join below
			reason = c.runEnded(err)
			c.bye(dlg)
		case now := <-tick.C:
			st := sess.Stats()
			if now.Sub(lastLatencyLog) >= latencyLogEvery {
				logLatency(c.a.log, c.id, st)
				lastLatencyLog = now
			}
			c.a.hub.publish(StatsUpdated{CallID: c.id, Stats: statsOf(st)})
		}
	}
	stop()
	<-errc // join rx/tx/RTCP before the session is closed
	final := sess.Stats()
	logLatency(c.a.log, c.id, final)
	c.a.hub.publish(StatsUpdated{CallID: c.id, Stats: statsOf(final)})
	return reason
}

// runEnded says why a call ended when its media session's Run returned
// with err. Our own end (hangup, transfer, close) also stops Run through
// the call context, and then both ends are ready at once: the call's cause
// wins, so a local hangup is never reported as a media failure.
func (c *call) runEnded(err error) error {
	if c.ctx.Err() != nil {
		return context.Cause(c.ctx)
	}
	if err == nil {
		err = errors.New("media stopped")
	}
	return fmt.Errorf("media failed: %w", err)
}

func holdState(i *CallInfo) CallState {
	if i.LocalHold || i.RemoteHold {
		return CallHeld
	}
	return CallActive
}

// bye ends an established dialog from our side, bounded in time.
func (c *call) bye(dlg *sip.Dialog) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.ctx), 5*time.Second)
	defer cancel()
	if err := dlg.Bye(ctx); err != nil {
		c.a.log.Debug("bye", "call", c.id, "err", err)
	}
}

// finish is the single end path: close media and devices, mark the call
// ended, emit the last event and forget the call.
func (c *call) finish(reason error, sess *audio.Session, closer io.Closer) {
	if sess != nil {
		sess.Close()
	}
	if closer != nil {
		closer.Close()
	}
	c.cancel(reason)
	if reason == nil {
		reason = errLocalHangup
	}
	c.a.mu.Lock()
	defer c.a.mu.Unlock()
	c.info.State = CallEnded
	c.info.Ended = time.Now()
	c.info.EndReason = reason.Error()
	c.dialog, c.sess = nil, nil
	c.a.endLookupLocked(c)
	c.a.emitLocked(CallChanged{c.info})
	c.a.callEndedLocked(c.info)
	if c.info.Direction == Incoming && errors.Is(reason, errRemoteCancel) {
		c.a.addMissedLocked(c.info.Number, c.info.Remote, c.info.RemoteName, false)
	}
	delete(c.a.calls, c.id)
	for i, id := range c.a.order {
		if id == c.id {
			c.a.order = append(c.a.order[:i], c.a.order[i+1:]...)
			break
		}
	}
	c.a.kickPresenceLocked()
	c.a.log.Info("call ended", "call", c.id, "direction", c.info.Direction, "reason", c.info.EndReason)
}

func statsOf(s audio.Stats) CallStats {
	return CallStats{
		PacketsSent:     s.PacketsSent,
		PacketsReceived: s.PacketsReceived,
		PacketsLost:     uint64(max(s.PacketsLost, 0)),
		RemoteLost:      uint64(max(s.RemotePacketsLost, 0)),
		JitterMs:        s.JitterMs,
		RTTMs:           s.RTTMs,
		MOS:             s.MOS,
		SRTPFailures:    s.SRTPFailures,
		Dropped:         s.Dropped,
		Latency:         s.Latency,
		Candidate:       s.ICE.LocalType,
		Path:            s.ICE.String(),
	}
}
