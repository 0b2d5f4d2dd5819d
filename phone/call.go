package phone

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"softphone/audio"
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

	consultFor string // set once under Agent.mu: the customer's call this consults for

	// Written by the run goroutine under Agent.mu once media is up, read by
	// agent methods under Agent.mu.
	info   CallInfo
	dialog *sip.Dialog
	sess   *audio.Session
	io     *lateIO
	rec    *recording.Recorder // nil unless recording is configured
	// recStatus is what rec last reported (RecordingNone without a
	// recorder); replayed to new watchers.
	recStatus RecordingStatus
	tap       *recTap     // set at creation; read by media goroutines
	lookup    *crm.Lookup // nil without a CRM; set at creation
	// What the CRM said about recording, applied when the recorder starts.
	consent crm.Consent
	payment bool
}

// newCallLocked makes a call and announces it; feature marks a
// feature-code call (not listed by views, no after-call work).
func (a *Agent) newCallLocked(dir Direction, remote, number, name string, feature bool) *call {
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
	c.info = CallInfo{ID: c.id, Direction: dir, State: st, Remote: remote, Number: number, RemoteName: name, Created: time.Now(), Feature: feature}
	a.calls[c.id] = c
	a.order = append(a.order, c.id)
	// The CRM lookup's first state goes out before the call, so a watcher
	// never sees a call whose contact state is unknown.
	a.startLookupLocked(c)
	a.emitLocked(CallChanged{c.info})
	a.kickPresenceLocked()
	return c
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
	c.a.kickPresenceLocked()
}
