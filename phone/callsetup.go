package phone

import (
	"context"
	"errors"
	"fmt"
	"io"
	"softphone/audio"
	"softphone/audio/sdp"
	"softphone/sip"
)

// Setting a call up: dialling out, an INVITE coming in, the audio session and devices.

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
	c := a.newCallLocked(Outgoing, uri, numberOf(uri), "", false)
	// Outgoing calls put the active call on hold first, like a desk phone.
	a.holdOthersAsync(c.id)
	a.wg.Add(1)
	go c.runOutgoing(a.ua, uri)
	return c.id, nil
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
	if code, reason, refuse := a.refuseLocked(); refuse {
		a.log.Info("call refused: agent not available", "state", a.work.status.State, "status", code)
		inc.Reject(code, reason)
		a.addMissedLocked(inc.Number, inc.From, inc.DisplayName, true)
		return
	}
	c := a.newCallLocked(Incoming, inc.From, inc.Number, inc.DisplayName, false)
	a.wg.Add(1)
	go c.runIncoming(inc)
}

func (c *call) audioConfig() (audio.Config, error) {
	ip, err := c.a.localIP()
	if err != nil {
		return audio.Config{}, err
	}
	st := c.a.Settings()
	m := st.Media
	return audio.Config{
		NAT:         natConfig(st.Network),
		LocalIP:     ip,
		Relocatable: m.LocalIP == "", // follows the machine's address (network.go)
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
