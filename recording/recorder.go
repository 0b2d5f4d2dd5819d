package recording

import (
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"softphone/internal/filelock"
)

// Recorder records one call. Write methods may be called from the audio
// goroutines; control methods from anywhere. All methods are safe for
// concurrent use and never panic on I/O errors: a failing disk turns the
// recorder into NotRecording ("disk full") and the call goes on.
type Recorder struct {
	s     *Store
	call  CallMeta
	ref   string // customer pseudonym
	owner string
	log   *slog.Logger

	// opMu serialises control operations; the fields below it are only
	// touched with opMu held.
	opMu          sync.Mutex
	enabled       bool // policy or supervisor wants recording
	offBySup      bool // a supervisor switched it off
	consentNeeded bool
	consent       int // 0 unknown, 1 given, -1 refused
	optedOut      bool
	closed        bool
	closeErr      error
	created       bool
	id            string
	recID         [16]byte
	key           recordingKey
	lock          *filelock.File
	pauses        PauseReasons
	meta          Meta // recorder-owned fields: Pauses, Status, Ended, Duration, Segments, Dropped
	writerDone    chan struct{}
	dtmfTimer     *time.Timer

	// mu guards the gate and what Write touches; held only briefly.
	mu         sync.Mutex
	gate       bool // audio passes only while true
	state      State
	reason     string
	failed     bool
	failReason string
	pos        [3]uint64 // per channel sample position (index = Channel)
	dropped    int
	ch         chan frameMsg
	free       chan *[bufSamples]int16 // preallocated buffers: the audio path never allocates
	chClosed   bool
	pending    []stateChange // state changes not yet delivered to callbacks
	stateSeq   uint64        // number of the current state, for callbacks registered late

	discard  atomic.Bool  // writer: drop the open segment instead of sealing (opt-out)
	segments atomic.Int64 // sealed segments, written by the writer goroutine

	// notifier: one goroutine delivers state changes to callbacks in order.
	cbMu       sync.Mutex
	cbs        []callback
	kickCh     chan struct{}
	quit       chan struct{}
	notifyDone chan struct{}
}

func newRecorder(s *Store, call CallMeta, owner string, p Policy) *Recorder {
	r := &Recorder{
		s: s, owner: owner, log: s.log,
		ref:    Pseudonym(s.pkey, call.Number),
		kickCh: make(chan struct{}, 1), quit: make(chan struct{}), notifyDone: make(chan struct{}),
	}
	call.Number = "" // never kept
	r.call = call
	r.enabled = p != PolicyOff
	r.consentNeeded = p == PolicyAsk
	r.state, r.reason = NotRecording, "starting"
	go r.notifier()
	return r
}

// ID returns the recording id, or "" while nothing has been recorded.
func (r *Recorder) ID() string {
	r.opMu.Lock()
	defer r.opMu.Unlock()
	return r.id
}

// State returns what the recorder is doing now and why (e.g. "paused: payment").
func (r *Recorder) State() (State, string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state, r.reason
}

// SetRecording switches recording on or off for this call (supervisor; see auth's table).
func (r *Recorder) SetRecording(actor string, role Role, on bool) error {
	if err := r.s.permit(actor, role, PermToggle, r.ID()); err != nil {
		return err
	}
	r.opMu.Lock()
	if r.closed {
		r.opMu.Unlock()
		return ErrClosed
	}
	if r.optedOut {
		r.opMu.Unlock()
		return ErrOptedOut
	}
	r.enabled, r.offBySup = on, !on
	err := r.applyLocked(actor)
	id := r.id
	r.opMu.Unlock()
	r.kick()
	return errors.Join(err, r.s.audit(actToggle, actor, map[string]string{
		"call": r.call.CallID, "recording": id, "on": strconv.FormatBool(on)}))
}

// Consent records the customer's answer under the "ask" policy. A refusal
// after recording started is an opt-out.
func (r *Recorder) Consent(actor string, granted bool) error {
	r.opMu.Lock()
	if r.closed {
		r.opMu.Unlock()
		return ErrClosed
	}
	created := r.created
	if granted {
		r.consent = 1
	} else {
		r.consent = -1
	}
	err := r.applyLocked(actor)
	r.opMu.Unlock()
	r.kick()
	err = errors.Join(err, r.s.audit(actConsent, actor, map[string]string{"call": r.call.CallID, "granted": strconv.FormatBool(granted)}))
	if !granted && created {
		return errors.Join(err, r.OptOut(actor))
	}
	return err
}

// OptOut stops recording at once and deletes what was recorded of this call.
func (r *Recorder) OptOut(actor string) error {
	r.opMu.Lock()
	if r.optedOut {
		r.opMu.Unlock()
		return nil
	}
	if r.closed {
		// After the call, deleting is a supervisor's decision (Store.Delete).
		r.opMu.Unlock()
		return ErrClosed
	}
	r.optedOut = true
	err := r.applyLocked(actor) // closes the gate before anything else
	var shredErr error
	if r.created {
		r.discard.Store(true)
		r.stopWriterLocked()
		// Release the lock file first: Windows cannot remove an open file.
		r.lock.Close()
		shredErr = r.s.shred(r.id, actor, "customer opted out", actOptOut, true)
		if shredErr != nil {
			// Not deleted (legal hold, index error): seal what exists so it is
			// not left "active", and say why.
			now := r.s.now()
			r.meta.Status, r.meta.Reason = StatusIncomplete, "customer opted out; not deleted: "+shortErr(shredErr)
			r.meta.Ended, r.meta.Duration = now, now.Sub(r.meta.Started)
			r.closeIntervalLocked(now)
			shredErr = errors.Join(shredErr, r.persistLocked())
		}
		r.s.unregister(r.id)
	} else {
		shredErr = r.s.audit(actOptOut, actor, map[string]string{"call": r.call.CallID, "recorded": "false"})
	}
	r.opMu.Unlock()
	r.kick()
	return errors.Join(err, shredErr)
}

// Flag marks this call's recording for review.
func (r *Recorder) Flag(actor, reason string) error {
	id := r.ID()
	if id == "" {
		return ErrNotRecorded
	}
	return r.s.flag(actor, id, reason, false)
}

// Close stops recording and seals the recording (complete, or incomplete
// after a write failure). It is idempotent.
func (r *Recorder) Close() error {
	r.opMu.Lock()
	if r.closed {
		r.opMu.Unlock()
		return r.closeErr
	}
	r.closed = true
	if r.dtmfTimer != nil {
		r.dtmfTimer.Stop()
	}
	var errs []error
	errs = append(errs, r.applyLocked(r.owner))
	if r.created && !r.optedOut {
		r.stopWriterLocked()
		now := r.s.now()
		r.mu.Lock()
		failed, why, dropped := r.failed, r.failReason, r.dropped
		r.mu.Unlock()
		r.meta.Status = StatusComplete
		r.meta.Reason = ""
		if failed {
			r.meta.Status, r.meta.Reason = StatusIncomplete, why
		} else if dropped > 0 {
			r.meta.Status, r.meta.Reason = StatusIncomplete, "audio frames dropped (writer too slow)"
		}
		r.meta.Dropped = dropped
		r.meta.Ended = now
		r.meta.Duration = now.Sub(r.meta.Started)
		r.closeIntervalLocked(now)
		errs = append(errs, r.persistLocked())
		errs = append(errs, r.s.audit(actStop, r.owner, map[string]string{
			"recording": r.id, "status": r.meta.Status.String(), "segments": strconv.Itoa(r.meta.Segments)}))
		errs = append(errs, r.lock.Close())
		r.s.unregister(r.id)
	}
	r.closeErr = errors.Join(errs...)
	r.opMu.Unlock()
	close(r.quit)
	<-r.notifyDone
	return r.closeErr
}

func shortErr(err error) string {
	if isDiskFull(err) {
		return "disk full"
	}
	s := err.Error()
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}
