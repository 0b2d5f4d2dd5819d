package phone

import (
	"fmt"
	"sync/atomic"

	"softphone/auth"
	"softphone/recording"
)

// RecordingChanged reports what a call's recorder is really doing: the
// state comes from the recorder itself, never from what was asked of it.
type RecordingChanged struct {
	CallID string
	RecordingStatus
}

func (RecordingChanged) isEvent() {}

// recTap hands a call's audio to its recorder. The audio session calls it
// from its media goroutines; the recorder is set once media is up.
type recTap struct {
	rec atomic.Pointer[recording.Recorder]
}

// Captured is the agent's voice (after mute).
func (t *recTap) Captured(pcm []int16) {
	if r := t.rec.Load(); r != nil {
		r.WriteAgent(pcm)
	}
}

// Played is the customer's voice as the agent hears it.
func (t *recTap) Played(pcm []int16) {
	if r := t.rec.Load(); r != nil {
		r.WriteCustomer(pcm)
	}
}

func (t *recTap) dtmf(d rune) {
	if r := t.rec.Load(); r != nil {
		r.DTMF(d)
	}
}

// actor is who acts in audit entries, with the role that decides what the
// recorder allows. Without a login (tests, automation without auth) the
// actor has the least privilege: an agent's.
func (a *Agent) actor() (string, recording.Role) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.session == nil {
		return "local", recording.Role(RoleAgent)
	}
	return a.session.Profile(), recording.Role(a.session.Role())
}

// startRecording starts the call's recorder (it follows the policy: it may
// well stay NOT RECORDING) and reports its real state as events.
func (c *call) startRecording() {
	store := c.a.cfg.Recordings
	if store == nil {
		return
	}
	c.a.mu.Lock()
	info := c.info
	c.a.mu.Unlock()
	actor, _ := c.a.actor()
	rec, err := store.Start(c.ctx, recording.CallMeta{
		CallID: c.id, Direction: info.Direction.String(), Number: info.Number, Started: info.Answered,
	}, actor)
	if err != nil {
		c.a.log.Warn("recording not started", "call", c.id, "err", err)
		return
	}
	c.a.mu.Lock()
	c.rec = rec
	consent, payment := c.consent, c.payment
	c.a.mu.Unlock()
	// What the CRM already said about this customer applies before any audio.
	c.applyConsent(rec, consent)
	if payment {
		rec.Payment(true)
	}
	c.tap.rec.Store(rec)
	rec.OnState(func(st recording.State, why string) {
		status := recordingStatus(st, why)
		c.a.mu.Lock()
		c.recStatus = status
		c.a.emitLocked(RecordingChanged{CallID: c.id, RecordingStatus: status})
		c.a.mu.Unlock()
	})
}

// stopRecording seals the recording once no more audio can arrive.
func (c *call) stopRecording() {
	c.tap.rec.Store(nil)
	c.a.mu.Lock()
	rec := c.rec
	c.rec = nil
	c.a.mu.Unlock()
	if rec != nil {
		if err := rec.Close(); err != nil {
			c.a.log.Warn("seal recording", "call", c.id, "err", err)
		}
	}
}

func (a *Agent) recorder(id string) (*recording.Recorder, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, err := a.callLocked(id)
	if err != nil {
		return nil, err
	}
	if c.rec == nil {
		return nil, fmt.Errorf("call %s has no recorder (recording is not configured)", id)
	}
	return c.rec, nil
}

// RecordPause pauses (on) or resumes the recording of a call at the
// agent's request. Audio of a paused stretch is never written.
func (a *Agent) RecordPause(id string, on bool) error {
	rec, err := a.recorder(id)
	if err != nil {
		return err
	}
	if on {
		return rec.Pause(recording.PauseAgent)
	}
	return rec.Resume(recording.PauseAgent)
}

// PromptDTMF tells the recorder the agent is about to ask the customer to
// key digits (e.g. a card number): with auto-pause on, it pauses at the
// first digit and resumes after the configured quiet time.
func (a *Agent) PromptDTMF(id string) error {
	rec, err := a.recorder(id)
	if err != nil {
		return err
	}
	return rec.PromptDTMF()
}

// RecordFlag flags the call's recording for review with a reason.
func (a *Agent) RecordFlag(id, reason string) error {
	rec, err := a.recorder(id)
	if err != nil {
		return err
	}
	actor, _ := a.actor()
	return rec.Flag(actor, reason)
}

// CustomerOptOut records that the customer objects to recording: it stops
// and what was recorded of this call is deleted (unless on legal hold).
func (a *Agent) CustomerOptOut(id string) error {
	rec, err := a.recorder(id)
	if err != nil {
		return err
	}
	actor, _ := a.actor()
	return rec.OptOut(actor)
}

// Consent records the customer's answer when the policy is "ask".
func (a *Agent) Consent(id string, granted bool) error {
	rec, err := a.recorder(id)
	if err != nil {
		return err
	}
	actor, _ := a.actor()
	return rec.Consent(actor, granted)
}

// SetRecording switches recording of a call on or off. Only supervisors
// (and roles with the permission) may; the recorder enforces it.
func (a *Agent) SetRecording(id string, on bool) error {
	rec, err := a.recorder(id)
	if err != nil {
		return err
	}
	actor, role := a.actor()
	return rec.SetRecording(actor, role, on)
}

// CanControlRecording reports whether the logged-in role may switch
// recording on and off (the UI shows the switch only then).
func (a *Agent) CanControlRecording() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.session != nil && a.session.Can(auth.PermRecordingControl)
}
