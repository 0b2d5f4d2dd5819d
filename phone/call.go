package phone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"softphone/audio"
	"softphone/audio/sdp"
	"softphone/crm"
	"softphone/recording"
	"softphone/sip"
)

// End causes. The call context is cancelled with one of these (or a
// wrapped network/media error); CallInfo.EndReason is its text.
var (
	errLocalHangup  = errors.New("hung up")
	errDeclined     = errors.New("declined")
	errRemoteCancel = errors.New("missed: caller hung up before answer")
	errTransferred  = errors.New("transferred")
)

// call is one call. The run goroutine owns sess and dialog; the agent's
// methods reach them only through the fields below under Agent.mu.
type call struct {
	a      *Agent
	id     string
	ctx    context.Context
	cancel context.CancelCauseFunc

	answerOnce sync.Once
	answered   chan struct{} // incoming: closed when the agent answers

	opMu sync.Mutex // serialises re-INVITEs (hold/resume) and transfer

	// Written by the run goroutine under Agent.mu once media is up, read by
	// agent methods under Agent.mu.
	info   CallInfo
	dialog *sip.Dialog
	sess   *audio.Session
	io     *lateIO
	rec    *recording.Recorder // nil unless recording is configured
	tap    *recTap             // set at creation; read by media goroutines
	lookup *crm.Lookup         // nil without a CRM; set at creation
	// What the CRM said about recording, applied when the recorder starts.
	consent crm.Consent
	payment bool
}

// Dial calls target (a number, extension or SIP URI) and returns the call's
// ID at once; progress arrives as CallChanged events.
func (a *Agent) Dial(ctx context.Context, target string) (string, error) {
	uri, err := TargetURI(target, a.Settings().Account.Domain)
	if err != nil {
		return "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return "", errAgentClosed
	}
	if a.ua == nil {
		return "", fmt.Errorf("not registered")
	}
	c := a.newCallLocked(Outgoing, uri, numberOf(uri), "")
	// Outgoing calls put the active call on hold first, like a desk phone.
	a.holdOthersAsync(c.id)
	a.wg.Add(1)
	go c.runOutgoing(a.ua, uri)
	return c.id, nil
}

func (a *Agent) newCallLocked(dir Direction, remote, number, name string) *call {
	a.nextID++
	ctx, cancel := context.WithCancelCause(a.ctx)
	c := &call{
		a:        a,
		id:       strconv.Itoa(a.nextID),
		ctx:      ctx,
		cancel:   cancel,
		answered: make(chan struct{}),
		io:       newLateIO(),
		tap:      &recTap{},
	}
	st := CallDialing
	if dir == Incoming {
		st = CallIncoming
	}
	c.info = CallInfo{ID: c.id, Direction: dir, State: st, Remote: remote, Number: number, RemoteName: name, Created: time.Now()}
	a.calls[c.id] = c
	a.order = append(a.order, c.id)
	a.emitLocked(CallChanged{c.info})
	a.startLookupLocked(c)
	return c
}

// onInvite handles a new incoming call from the sip layer.
func (a *Agent) onInvite(inc *sip.Incoming) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		inc.Reject(480, "Temporarily Unavailable")
		return
	}
	if a.cfg.Settings.Account.BusyOnSecondCall && len(a.calls) > 0 { // a.mu is held
		inc.Reject(486, "Busy Here")
		return
	}
	c := a.newCallLocked(Incoming, inc.From, inc.Number, inc.DisplayName)
	a.wg.Add(1)
	go c.runIncoming(inc)
}

// update changes the call's info under the agent lock and emits CallChanged.
func (c *call) update(f func(*CallInfo)) {
	c.a.mu.Lock()
	defer c.a.mu.Unlock()
	next := c.info
	f(&next)
	if !c.info.State.CanBecome(next.State) {
		// A late event (a hold answer after the hangup, say) must not
		// revive a call or move it backwards.
		c.a.log.Debug("call state change ignored", "call", c.id, "from", c.info.State, "to", next.State)
		return
	}
	c.info = next
	c.a.emitLocked(CallChanged{c.info})
}

func (c *call) audioConfig() (audio.Config, error) {
	ip, err := c.a.localIP()
	if err != nil {
		return audio.Config{}, err
	}
	m := c.a.Settings().Media
	return audio.Config{
		LocalIP:     ip,
		RequireSRTP: !m.AllowPlainRTP,
		Suites:      m.Suites,
		Codecs:      m.Codecs,
		Source:      c.io,
		Sink:        c.io,
		Tap:         c.tap,
		SampleRate:  c.sampleRate(),
		Processor:   c.voiceProcessor(),
		OnDTMF: func(d rune) {
			c.tap.dtmf(d)
			c.a.hub.publish(DTMFReceived{CallID: c.id, Digit: d})
		},
		Logger: c.a.log,
	}, nil
}

// openEndpoints connects the call to the agent's audio devices.
func (c *call) openEndpoints() (io.Closer, error) {
	if c.a.cfg.Endpoints == nil {
		return io.NopCloser(nil), nil
	}
	c.a.mu.Lock()
	info := c.info
	c.a.mu.Unlock()
	src, sink, closer, err := c.a.cfg.Endpoints.Open(info)
	if err != nil {
		return nil, fmt.Errorf("open audio device: %w", err)
	}
	c.io.set(src, sink)
	return closer, nil
}

func (c *call) runOutgoing(ua *sip.UA, uri string) {
	defer c.a.wg.Done()
	var sess *audio.Session
	var closer io.Closer
	reason := func() (reason error) {
		closer, reason = c.openEndpoints()
		if reason != nil {
			return reason
		}
		cfg, err := c.audioConfig()
		if err != nil {
			return err
		}
		if !ua.Secure() && cfg.RequireSRTP {
			// SDES keys would cross the network in clear text (RFC 4568 §8.3).
			return errors.New("SRTP needs a TLS connection to the server; refusing to send keys in clear")
		}
		if sess, err = audio.NewSession(cfg); err != nil {
			return err
		}
		offer, err := sess.Offer()
		if err != nil {
			return err
		}
		dlg, err := ua.Dial(c.ctx, uri, offer, func(code int, _ []byte) {
			if code == 180 || code == 183 {
				c.update(func(i *CallInfo) {
					if i.State == CallDialing {
						i.State = CallRinging
					}
				})
			}
		})
		if err != nil {
			if cause := context.Cause(c.ctx); cause != nil {
				return cause
			}
			return err
		}
		if err := sess.SetAnswer(dlg.RemoteSDP()); err != nil {
			c.bye(dlg)
			return fmt.Errorf("far end refused encryption: %w", err)
		}
		return c.media(dlg, sess)
	}()
	c.finish(reason, sess, closer)
}

func (c *call) runIncoming(inc *sip.Incoming) {
	defer c.a.wg.Done()
	var sess *audio.Session
	var closer io.Closer
	reason := func() error {
		cfg, err := c.audioConfig()
		if err != nil {
			inc.Reject(500, "Server Internal Error")
			return err
		}
		if sess, err = audio.NewSession(cfg); err != nil {
			inc.Reject(500, "Server Internal Error")
			return err
		}
		answer, err := sess.Answer(inc.Offer())
		if err != nil {
			if errors.Is(err, sdp.ErrMalformed) {
				inc.Reject(400, "Bad Request")
				return fmt.Errorf("refused: malformed SDP offer: %w", err)
			}
			// A plain-RTP offer while SRTP is mandatory, or no common
			// codec (RFC 3264 §6: 488 Not Acceptable Here).
			inc.Reject(488, "Not Acceptable Here")
			return fmt.Errorf("refused: %w", err)
		}
		inc.Ring()
		select {
		case <-c.answered:
		case <-inc.Cancelled():
			return errRemoteCancel
		case <-c.ctx.Done():
			cause := context.Cause(c.ctx)
			if errors.Is(cause, errDeclined) {
				inc.Reject(603, "Decline")
			} else {
				inc.Reject(480, "Temporarily Unavailable")
			}
			return cause
		}
		if closer, err = c.openEndpoints(); err != nil {
			inc.Reject(500, "Server Internal Error")
			return err
		}
		dlg, err := inc.Answer(c.ctx, answer)
		if err != nil {
			return err
		}
		return c.media(dlg, sess)
	}()
	c.finish(reason, sess, closer)
}

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
			if err == nil {
				err = errors.New("media stopped")
			}
			reason = fmt.Errorf("media failed: %w", err)
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
	delete(c.a.calls, c.id)
	for i, id := range c.a.order {
		if id == c.id {
			c.a.order = append(c.a.order[:i], c.a.order[i+1:]...)
			break
		}
	}
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
	}
}

// numberOf returns the user part of a SIP URI.
func numberOf(uri string) string {
	s := uri
	for _, p := range []string{"sip:", "sips:"} {
		if len(s) > len(p) && s[:len(p)] == p {
			s = s[len(p):]
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '@' || s[i] == ';' {
			return s[:i]
		}
	}
	return s
}

// remoteHolds reports whether an offer puts us on hold: its audio stream is
// sendonly or inactive (RFC 3264 §8.4), or its connection address is the
// RFC 2543 hold address 0.0.0.0.
func remoteHolds(offer []byte) bool {
	s, err := sdp.Parse(offer)
	if err != nil {
		return false
	}
	for i := range s.Media {
		m := &s.Media[i]
		if m.Type != "audio" || m.Port == 0 {
			continue
		}
		if d := s.MediaDirection(m); d == sdp.SendOnly || d == sdp.Inactive {
			return true
		}
		addr := m.Addr
		if !addr.IsValid() {
			addr = s.Addr
		}
		return addr.IsValid() && addr.IsUnspecified()
	}
	return false
}
